import { createServer, Server } from 'node:http';
import type { DataSource } from 'typeorm';
import { collectProcessMetrics, metricsRegistry } from '@calls/runtime';

/**
 * The notifier serves no API; this small server gives Kubernetes and
 * Prometheus what they need: /health/live (the process answers),
 * /health/ready (its database answers) and /metrics.
 */
export async function startOpsServer(dataSource: DataSource, port: number, host = '0.0.0.0'): Promise<Server> {
  collectProcessMetrics();
  const server = createServer((request, response) => {
    const send = (status: number, body: string, type = 'application/json') =>
      response.writeHead(status, { 'content-type': type }).end(body);
    switch (request.url) {
      case '/health/live':
        return send(200, JSON.stringify({ status: 'ok' }));
      case '/health/ready':
        return void dataSource.query('SELECT 1').then(
          () => send(200, JSON.stringify({ status: 'ok', database: 'up' })),
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
