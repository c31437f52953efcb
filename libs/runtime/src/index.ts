export * from './graceful-shutdown';
export * from './metrics';
export * from './logging';
export * from './tracing';
