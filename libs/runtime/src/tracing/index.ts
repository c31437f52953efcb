export * from './trace-context';
export { stopTracing } from './start-tracing';
