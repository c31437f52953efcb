export * from './auth.config';
export * from './auth.decorators';
export * from './auth.module';
export * from './dev-token-issuer';
export * from './principal';
export * from './notification-signer';
export * from './rsa-keys';
