import type { IncomingMessage } from 'node:http';
import type { NodeSDK } from '@opentelemetry/sdk-node';

/** Probes and scrapes every few seconds would drown the traces that matter. */
const UNTRACED_PATHS = /^\/(health(\/|$)|metrics$)/;

let running: NodeSDK | null = null;

/** Whether to trace, and the service name to report (OTEL_SERVICE_NAME): @calls/config's TracingSettings. */
export interface TracingSwitch {
  readonly enabled: boolean;
  readonly serviceName: string | undefined;
}

/**
 * Starts OpenTelemetry tracing for this process, or does nothing when no
 * OTLP endpoint is set. It must run before the app's modules are loaded:
 * the instrumentations patch `http`, `pg` and `ioredis` as they are required,
 * which is why each app imports its `tracing.ts` first. The SDK is loaded
 * here, on demand, so a process without tracing never pays for it.
 *
 * The exporter, protocol, sampler and batch settings come from the standard
 * OTEL_* variables. Only traces are exported: metrics are Prometheus's at
 * /metrics and logs go to stdout, so the SDK's own metric and log exporters
 * stay off.
 */
export function startTracing(serviceName: string, settings: TracingSwitch): boolean {
  if (running || !settings.enabled) return running !== null;
  // Synchronous on purpose: an `await import()` would let the app's modules load unpatched first.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { IORedisInstrumentation } =
    require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  /* eslint-enable @typescript-eslint/no-require-imports */
  running = new NodeSDK({
    serviceName: settings.serviceName ?? serviceName,
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATHS.test(request.url ?? ''),
      }),
      // Statement text only, never the values bound to it (they can hold callback URIs and tenant data).
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
      new IORedisInstrumentation(),
    ],
  });
  running.start();
  return true;
}

/** A collector that does not answer must not hold a stopping pod past its grace period. */
const FLUSH_LIMIT_MS = 3_000;

/** Exports the spans still buffered (for up to 3 s); call it last on shutdown, or they are lost with the process. */
export async function stopTracing(): Promise<void> {
  const sdk = running;
  running = null;
  if (!sdk) return;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, FLUSH_LIMIT_MS)));
  await Promise.race([sdk.shutdown().catch(() => undefined), limit]);
  clearTimeout(timer);
}
