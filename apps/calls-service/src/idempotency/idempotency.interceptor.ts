import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, Observable, of, throwError } from 'rxjs';
import { catchError, mergeMap } from 'rxjs/operators';
import { IDEMPOTENCY_STORE } from '@calls/application';
import type { IdempotencyStore } from '@calls/application';
import { ownerOf } from '@calls/auth';
import type { Principal } from '@calls/auth';
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

/**
 * Retries that do not double: a POST carrying `Idempotency-Key` is run once
 * per application per tenant; a retry gets the first answer again
 * (same operation id, `Idempotent-Replayed: true`), the same key with another
 * body gets 422, and a retry while the first is still running gets 409.
 * A request that failed gives its key up, so its retry runs again.
 *
 * Graph's `client-request-id` is only a correlation id that Graph echoes
 * (docs/graph-facts.md): two requests that share one are two requests, so it
 * is never a retry key here; it is still echoed and logged.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    @Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const header = request.headers['idempotency-key'];
    if (request.method !== 'POST' || !request.user || header === undefined) return next.handle();
    const key = Array.isArray(header) ? header[0] : header;
    if (!KEY.test(key)) {
      return throwError(
        () => new GraphHttpError(400, 'invalidRequest', 'Idempotency-Key must be 1 to 128 printable characters.'),
      );
    }
    const owner = ownerOf(request.user);
    const path = request.url.split('?')[0];
    const hash = createHash('sha256')
      .update(`POST ${path}\n${canonical(request.body)}`)
      .digest('hex');
    const status = this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ?? 201;

    return from(this.store.begin(owner, key, hash, new Date())).pipe(
      mergeMap((begun) => {
        switch (begun.outcome) {
          case 'mismatch':
            throw new GraphHttpError(
              422,
              'unprocessableEntity',
              'This Idempotency-Key was already used with a different request.',
            );
          case 'inProgress':
            throw new GraphHttpError(
              409,
              'conflict',
              'A request with this Idempotency-Key is still being processed; retry later.',
              {
                'Retry-After': '1',
              },
            );
          case 'replay':
            if (begun.response.location) void reply.header('Location', begun.response.location);
            void reply.header('Idempotent-Replayed', 'true');
            return of(begun.response.body);
          case 'proceed':
            return next.handle().pipe(
              mergeMap(async (body) => {
                const location = reply.getHeader('location');
                await this.store.complete(
                  owner,
                  key,
                  { status, body, location: location ? String(location) : null },
                  new Date(),
                );
                return body;
              }),
              catchError((error: unknown) =>
                from(this.store.release(owner, key)).pipe(mergeMap(() => throwError(() => error))),
              ),
            );
        }
      }),
    );
  }
}
