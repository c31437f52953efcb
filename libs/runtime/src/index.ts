export * from './graceful-shutdown';
export * from './metrics';
export * from './logging';
