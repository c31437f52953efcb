import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { IdempotencyRequest } from '@calls/application';
import { GRAPH_NAMESPACE, GraphHttpError } from '@calls/graph';

const KEY = /^[\x21-\x7e]{1,128}$/;

/** JSON with sorted keys, so the same body written in another key order hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** A request with the IdempotencyRequest its action's command got, if it carried a key. */
export type KeyedRequest = FastifyRequest & { idempotency?: IdempotencyRequest };

/**
 * Retries that do not double: a POST carrying `Idempotency-Key` is run once
 * per application per tenant; a retry gets the first answer again (same
 * operation id, marked `Idempotent-Replayed: true` by idempotency.hook.ts),
 * and the same key with another body gets 422 (graph-error.ts). The
 * command's unit of work does the rest: the key's receipt commits with the
 * call's changes, so a request that failed left no trace and its retry runs
 * again, and two runs at once give one effect and one answer. Here the key is read and checked, and the
 * request fingerprinted (its path and body).
 *
 * Graph's `client-request-id` is only a correlation id that Graph echoes
 * (docs/graph-facts.md): two requests that share one are two requests, so it
 * is never a retry key here; it is still echoed and logged.
 *
 * Done here, for the actions that take a key, and not in a global Nest
 * interceptor: the only interceptor made every request build RxJS
 * observables and async resources around its handler (docs/performance.md,
 * "No global interceptor").
 */
export function idempotencyOf(request: KeyedRequest): IdempotencyRequest | undefined {
  const header = request.headers['idempotency-key'];
  if (request.method !== 'POST' || header === undefined) return undefined;
  const key = Array.isArray(header) ? header[0] : header;
  if (!KEY.test(key)) {
    throw new GraphHttpError(400, 'invalidRequest', 'Idempotency-Key must be 1 to 128 printable characters.');
  }
  // What makes a retry the same request: the path and the body (the key is per application and tenant).
  // An action's qualified name is the same action, so a retry may switch between the two forms.
  const path = request.url.split('?')[0].replace(`/${GRAPH_NAMESPACE}.`, '/');
  const fingerprint = createHash('sha256')
    .update(`POST ${path}\n${canonical(request.body)}`)
    .digest('hex');
  return (request.idempotency = new IdempotencyRequest(key, fingerprint));
}

/** The request's Idempotency-Key and fingerprint for its command, or undefined without a key; 400 for a bad key. */
export const Idempotency = createParamDecorator(
  (_data: unknown, context: ExecutionContext): IdempotencyRequest | undefined =>
    idempotencyOf(context.switchToHttp().getRequest<KeyedRequest>()),
);
