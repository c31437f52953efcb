export * from './trace-context';
export { stopTracing, tracingConfigured } from './start-tracing';
