import { collectDefaultMetrics, Counter, Gauge, Histogram, register } from 'prom-client';

/**
 * The service's Prometheus metrics, on prom-client's default registry, which
 * `/metrics` serves. Defined once per process; the libraries that own a
 * mechanism (relay, notifier) count through these.
 */
let defaultsCollected = false;
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics();
}

export const httpRequests = new Counter({
  name: 'http_requests_total',
  help: 'HTTP requests by route template, method and status.',
  labelNames: ['route', 'method', 'status'] as const,
});

export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request latency by route template, method and status.',
  labelNames: ['route', 'method', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

export const commandDuration = new Histogram({
  name: 'command_duration_seconds',
  help: 'Command handler duration by command and outcome.',
  labelNames: ['command', 'outcome'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
});

export const outboxPublished = new Counter({
  name: 'outbox_published_total',
  help: 'Outbox rows this process published, by its relay or directly after their commit.',
});

export const outboxRelayFailures = new Counter({
  name: 'outbox_relay_failures_total',
  help: 'Relay batches and direct publishes that failed (broker or database unavailable); their rows stay and are retried.',
});

export const cancelEndedOperations = new Histogram({
  name: 'cancel_ended_operations',
  help: 'Operations each cancelMediaProcessing ended: the queue it found (0: nothing was playing).',
  buckets: [0, 1, 2, 5, 10, 20, 50],
});

export const outboxPublishDelay = new Histogram({
  name: 'outbox_publish_delay_seconds',
  help: "From an event's occurrence to the broker's confirm, by path (direct: the saving replica right after the commit; relay).",
  labelNames: ['path'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
});

/** Each message's delay from its occurrence to now (its publish was just confirmed). */
export function observePublished(path: 'direct' | 'relay', occurredAt: readonly Date[]): void {
  const now = Date.now();
  const histogram = outboxPublishDelay.labels(path);
  for (const at of occurredAt) histogram.observe(Math.max(0, now - at.getTime()) / 1000);
}

export const callsExpired = new Counter({
  name: 'calls_expired_total',
  help: 'Calls this process ended because no keepAlive came in time (the expiry sweep).',
});

export const brokerConnected = new Gauge({
  name: 'broker_connected',
  help: 'Whether this process holds an open RabbitMQ channel (1) or not (0), by role (publish, consume) and exchange or queue.',
  labelNames: ['role', 'target'] as const,
});

export const notifierDeliveries = new Counter({
  name: 'notifier_deliveries_total',
  help: 'Notification delivery attempts by outcome: delivered, retry, dead, skipped.',
  labelNames: ['outcome'] as const,
});

/** A gauge computed on each scrape (backlogs, pool use), so it is never stale. */
export function scrapedGauge(
  name: string,
  help: string,
  collect: () => Promise<number> | number,
  labelNames: readonly string[] = [],
): Gauge {
  const existing = register.getSingleMetric(name) as Gauge | undefined;
  if (existing) register.removeSingleMetric(name);
  return new Gauge({
    name,
    help,
    labelNames,
    async collect() {
      try {
        this.set(await collect());
      } catch {
        // the database is away: leave the last value; readiness reports the outage
      }
    },
  });
}

export { register as metricsRegistry };

export const admissionRefusals = new Counter({
  name: 'http_admission_refusals_total',
  help: 'Requests refused at the door by class (critical: cancelMediaProcessing and hang-up) and reason: queue_full, waited_too_long (503), call_queue_full (429).',
  labelNames: ['class', 'reason'] as const,
});

let admissionSource: (() => { limit: number; inFlight: number; queued: number }) | null = null;

/** What the door is doing (the latest admission set up in this process reports it). */
export function reportAdmission(source: typeof admissionSource): void {
  admissionSource = source;
}

export const admissionState = new Gauge({
  name: 'http_admission',
  help: 'The adaptive admission: limit (requests in flight allowed now), in_flight, queued.',
  labelNames: ['measure'] as const,
  collect() {
    if (!admissionSource) return;
    const { limit, inFlight, queued } = admissionSource();
    this.set({ measure: 'limit' }, limit);
    this.set({ measure: 'in_flight' }, inFlight);
    this.set({ measure: 'queued' }, queued);
  },
});
