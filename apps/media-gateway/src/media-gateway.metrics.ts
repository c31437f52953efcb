import { Counter, Gauge, Histogram } from 'prom-client';

/** The media gateway's own Prometheus metrics, beside the process's (on prom-client's default registry, served at /metrics). */
export const gatewayMetrics = {
  legs: new Gauge({
    name: 'media_gateway_legs',
    help: "Calls whose media leg this replica holds (the caller's audio anchored in rtpengine).",
  }),
  operations: new Counter({
    name: 'media_gateway_operations_total',
    help: 'Operations this replica ran, by kind and how they ended (completed, failed, stopped by the service).',
    labelNames: ['kind', 'outcome'] as const,
  }),
  promptFailures: new Counter({
    name: 'media_gateway_prompt_failures_total',
    help: 'Prompts that could not be played, by why: download (400/8536) or format (400/8535).',
    labelNames: ['reason'] as const,
  }),
  engineErrors: new Counter({
    name: 'media_gateway_engine_errors_total',
    help: 'rtpengine commands that failed or went unanswered, by command.',
    labelNames: ['command'] as const,
  }),
  stopSeconds: new Histogram({
    name: 'media_gateway_stop_seconds',
    help: "From the service's end of an operation reaching the gateway to rtpengine's answer to stop media.",
    buckets: [0.002, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64],
  }),
};
