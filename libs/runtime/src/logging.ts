import { DynamicModule, Module } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { asyncLocalStorage, fastifyRequestContext, requestContext } from '@fastify/request-context';
import type { FastifyInstance } from 'fastify';
import { LoggerModule } from 'nestjs-pino';
import { pino, DestinationStream, Logger as Pino } from 'pino';

declare module '@fastify/request-context' {
  interface RequestContextData {
    readonly requestId: string;
    readonly clientRequestId?: string;
  }
}

const REQUEST_ID = Symbol('requestId');

/**
 * The request id of a raw request, created on first use: the Graph
 * `request-id` header and every log line of the request carry the same one,
 * whichever of the two asks first.
 */
export function requestIdOf(raw: IncomingMessage): string {
  const holder = raw as IncomingMessage & { [REQUEST_ID]?: string };
  holder[REQUEST_ID] ??= randomUUID();
  return holder[REQUEST_ID];
}

let destination: DestinationStream | undefined;

/** Where log lines go instead of stdout; for tests that read them. */
export function setLogDestination(stream: DestinationStream | undefined): void {
  destination = stream;
}

/** The process's pino logger, for the per-request lines (Nest's own lines reach it through nestjs-pino). */
export const REQUEST_LOGGER = Symbol('REQUEST_LOGGER');

/** What a log line of a request needs to know of it; a Fastify request has all of it. */
export interface LoggedRequest {
  readonly raw: IncomingMessage;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly user?: unknown;
}

/**
 * The fields that name a request on each of its log lines: the Graph
 * request-id, the client's client-request-id, tenant and app once
 * authenticated, and the trace id when tracing is on; then the line's own
 * `fields`. Those are spread last: a key written after a spread is slow on
 * Node 20 (docs/performance.md, "No key after an object spread").
 */
export function requestLogFields(
  request: LoggedRequest,
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  const user = request.user as { tenantId?: string; appId?: string } | undefined;
  const clientRequestId = clientRequestIdOf(request);
  const traceId = trace.getActiveSpan()?.spanContext().traceId;
  return {
    requestId: requestIdOf(request.raw),
    ...(clientRequestId !== undefined ? { clientRequestId } : {}),
    ...(user?.tenantId ? { tenantId: user.tenantId, appId: user.appId } : {}),
    ...(traceId ? { traceId } : {}),
    ...fields,
  };
}

/** The client's client-request-id as logged: at most 128 characters, as Graph echoes it. */
function clientRequestIdOf(request: Pick<LoggedRequest, 'headers'>): string | undefined {
  const sent = request.headers['client-request-id'];
  return typeof sent === 'string' ? sent.slice(0, 128) : undefined;
}

/**
 * Every line written while a request is served, whichever layer writes it
 * (a slow query in persistence, a conflict in the application), carries the
 * request's `requestId` and `clientRequestId`: the request's names live in an
 * AsyncLocalStorage from its first hook to its answer (Fastify's own
 * @fastify/request-context, which also carries them past the body's parsing),
 * and pino's mixin adds them to each line. Registered first, so the other
 * hooks' lines carry them too. Its cost, measured with `npm run bench`, is in
 * docs/performance.md.
 */
export async function registerRequestContext(fastify: FastifyInstance): Promise<void> {
  await fastify.register(fastifyRequestContext, {
    defaultStoreValues: (request) => {
      const clientRequestId = clientRequestIdOf(request);
      return clientRequestId === undefined
        ? { requestId: requestIdOf(request.raw) }
        : { requestId: requestIdOf(request.raw), clientRequestId };
    },
  });
}

/** The names of the request being served, for pino's mixin; a new object, which pino merges the line into. */
function requestNames(): Record<string, unknown> {
  const store = requestContext.getStore();
  if (store?.requestId === undefined) return {};
  return store.clientRequestId === undefined
    ? { requestId: store.requestId }
    : { requestId: store.requestId, clientRequestId: store.clientRequestId };
}

/**
 * Runs `work` as part of no request: for work that serves several requests
 * at once (a batch of their events), whose lines must not name only the
 * first of them.
 */
export function outsideRequests<T>(work: () => T): T {
  return requestContext.getStore() === undefined ? work() : asyncLocalStorage.exit(work);
}

/**
 * Structured JSON logs (pino). Nest's own lines go through nestjs-pino;
 * each request gets one line when it ends (see `registerRequestLogging`),
 * and every line written while it is served names it (see
 * `registerRequestContext`). nestjs-pino's per-request middleware is not
 * mounted: it builds a child logger per request, where the mixin adds two
 * fields only to the lines actually written. Authorization, cookies and
 * idempotency keys are redacted should they ever be logged; bodies never are.
 */
@Module({})
export class LoggingModule {
  static forRoot(level: string): DynamicModule {
    const options = {
      level,
      mixin: requestNames,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["idempotency-key"]'],
        censor: '[redacted]',
      },
    };
    const logger = destination ? pino(options, destination) : pino(options);
    return {
      module: LoggingModule,
      global: true,
      imports: [LoggerModule.forRoot({ pinoHttp: { logger }, forRoutes: [] })],
      providers: [{ provide: REQUEST_LOGGER, useValue: logger }],
      exports: [REQUEST_LOGGER, LoggerModule],
    };
  }
}

const UNLOGGED = /^\/(health|metrics)(\/|$)/;

/** One line per request as it ends: what identifies it, its status and how long it took. */
export function registerRequestLogging(
  fastify: {
    addHook(
      name: 'onResponse',
      hook: (request: LoggedRequest, reply: { statusCode: number; elapsedTime: number }, done: () => void) => void,
    ): unknown;
  },
  logger: Pino,
): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    if (!UNLOGGED.test(request.url)) {
      const status = reply.statusCode;
      logger[status >= 500 ? 'error' : 'info'](
        requestLogFields(request, {
          req: { method: request.method, url: request.url },
          res: { statusCode: status },
          responseTime: Math.round(reply.elapsedTime),
        }),
        `${request.method} ${request.url} ${status}`,
      );
    }
    done();
  });
}
