import type { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyInstance } from 'fastify';
import { collectProcessMetrics, commandDuration, httpRequestDuration, httpRequests } from '@calls/runtime';

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

/** Times every command through the bus, whoever sends it (controllers, the media plane). */
export function instrumentCommandBus(app: INestApplication): void {
  const bus = app.get(CommandBus);
  const execute = bus.execute.bind(bus) as (command: object) => Promise<unknown>;
  (bus as { execute: (command: object) => Promise<unknown> }).execute = async (command: object) => {
    const end = commandDuration.startTimer({ command: command.constructor.name });
    try {
      const result = await execute(command);
      end({ outcome: 'ok' });
      return result;
    } catch (error) {
      end({ outcome: 'error' });
      throw error;
    }
  };
}
