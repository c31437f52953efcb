import type { FastifyInstance } from 'fastify';
import { collectProcessMetrics, httpRequestDuration, httpRequests } from '@calls/runtime';

/** Counts and times every response by its route template (not the raw URL, which would explode the labels). */
export function registerHttpMetrics(fastify: FastifyInstance): void {
  collectProcessMetrics();
  fastify.addHook('onResponse', (request, reply, done) => {
    const labels = {
      route: request.routeOptions?.url ?? 'unmatched',
      method: request.method,
      status: String(reply.statusCode),
    };
    httpRequests.inc(labels);
    httpRequestDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
}
