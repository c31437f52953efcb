// main.ts imports this first: the instrumentations can only patch http, pg and
// ioredis if they are in place before the app's modules require them.
import { tracingSettings } from '@calls/config/tracing.settings';
import { startTracing } from '@calls/runtime/tracing/start-tracing';

startTracing('media-gateway', tracingSettings());
