import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, throwError } from 'rxjs';
import { catchError, tap } from 'rxjs/operators';
import { IdempotencyKeyReusedError, IdempotencyRequest } from '@calls/application';
import { GraphHttpError } from '@calls/graph';

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

/** The request's IdempotencyRequest, which the controller hands to its command (see idempotency.decorator.ts). */
export type KeyedRequest = FastifyRequest & { idempotency?: IdempotencyRequest };

/**
 * Retries that do not double: a POST carrying `Idempotency-Key` is run once
 * per application per tenant; a retry gets the first answer again
 * (same operation id, `Idempotent-Replayed: true`), and the same key with
 * another body gets 422. The command's unit of work does the rest: the key's
 * receipt commits with the call's changes, so a request that failed left no
 * trace and its retry runs again, and two runs at once give one effect and
 * one answer. This interceptor only reads the key and fingerprints the
 * request.
 *
 * Graph's `client-request-id` is only a correlation id that Graph echoes
 * (docs/graph-facts.md): two requests that share one are two requests, so it
 * is never a retry key here; it is still echoed and logged.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<KeyedRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const header = request.headers['idempotency-key'];
    if (request.method !== 'POST' || header === undefined) return next.handle();
    const key = Array.isArray(header) ? header[0] : header;
    if (!KEY.test(key)) {
      return throwError(
        () => new GraphHttpError(400, 'invalidRequest', 'Idempotency-Key must be 1 to 128 printable characters.'),
      );
    }
    // What makes a retry the same request: the path and the body (the key is per application and tenant).
    const path = request.url.split('?')[0];
    const fingerprint = createHash('sha256')
      .update(`POST ${path}\n${canonical(request.body)}`)
      .digest('hex');
    const idempotency = (request.idempotency = new IdempotencyRequest(key, fingerprint));
    return next.handle().pipe(
      tap(() => {
        if (idempotency.replayed) void reply.header('Idempotent-Replayed', 'true');
      }),
      catchError((error: unknown) =>
        throwError(() =>
          error instanceof IdempotencyKeyReusedError
            ? new GraphHttpError(422, 'unprocessableEntity', error.message)
            : error,
        ),
      ),
    );
  }
}
