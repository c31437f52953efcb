import type { FastifyInstance } from 'fastify';
import type { KeyedRequest } from './idempotency.decorator';

/**
 * `Idempotent-Replayed: true` on an answer its command replayed from the
 * key's receipt. The key is read before the command runs (the
 * `@Idempotency()` decorator); whether it replayed is known only once it ran,
 * so the answer is marked here, as it is sent.
 */
export function registerReplayedHeader(fastify: Pick<FastifyInstance, 'addHook'>): void {
  fastify.addHook('onSend', (request: KeyedRequest, reply, payload, done) => {
    if (request.idempotency?.replayed) void reply.header('Idempotent-Replayed', 'true');
    done(null, payload);
  });
}
