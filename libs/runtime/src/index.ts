export * from './graceful-shutdown';
export * from './metrics';
