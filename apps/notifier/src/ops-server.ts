import { createServer, Server } from 'node:http';
import type { DataSource } from 'typeorm';
import { collectProcessMetrics, metricsRegistry } from '@calls/runtime';

/**
 * The notifier serves no API; this small server gives Kubernetes and
 * Prometheus what they need: /health/live (the process answers),
 * /health/ready and /metrics. Ready means its queue is bound (once it is,
 * the broker keeps every event for it, connected or not; before, an event
 * published would reach no queue and be lost to it) and its database answers.
 */
export async function startOpsServer(
  readiness: { dataSource: DataSource; queueBound: () => boolean },
  port: number,
  host = '0.0.0.0',
): Promise<Server> {
  const { dataSource, queueBound } = readiness;
  collectProcessMetrics();
  const server = createServer((request, response) => {
    const send = (status: number, body: string, type = 'application/json') =>
      response.writeHead(status, { 'content-type': type }).end(body);
    switch (request.url) {
      case '/health/live':
        return send(200, JSON.stringify({ status: 'ok' }));
      case '/health/ready':
        if (!queueBound())
          return send(503, JSON.stringify({ status: 'error', broker: 'queue not bound yet', database: 'unknown' }));
        return void dataSource.query('SELECT 1').then(
          () => send(200, JSON.stringify({ status: 'ok', broker: 'queue bound', database: 'up' })),
          (error: Error) => send(503, JSON.stringify({ status: 'error', database: 'down', message: error.message })),
        );
      case '/metrics':
        return void metricsRegistry.metrics().then((text) => send(200, text, metricsRegistry.contentType));
      default:
        return send(404, JSON.stringify({ error: { code: 'itemNotFound', message: 'Not found.' } }));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return server;
}
