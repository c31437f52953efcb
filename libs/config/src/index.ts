export * from './config';
export * from './config.module';
export * from './environment.schema';
export * from './tracing.settings';
