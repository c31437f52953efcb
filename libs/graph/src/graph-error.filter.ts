import { ArgumentsHost, Catch, ExceptionFilter, NotFoundException } from '@nestjs/common';
import { CarriedAnswer } from '@calls/application';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GraphError, graphErrorBody, toGraphError } from './graph-error';
import { requestLogFields } from '@calls/runtime';
import { requestIdsOf } from './request-id.hook';
import { answerThenDrain } from './http-input';

/** Where the filter says why a request failed: the service's pino logger. */
export interface ErrorLog {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** A route-not-found on a path the API serves with other methods: 405 and `Allow`, not 404. */
function methodNotAllowed(exception: unknown, request: FastifyRequest): GraphError | null {
  if (!(exception instanceof NotFoundException) || request.routeOptions.url !== undefined) return null;
  const allowed = request.server.allowedMethods?.(request.url) ?? [];
  if (allowed.length === 0) return null;
  return {
    status: 405,
    code: 'notSupported',
    message: `${request.method} is not supported on this resource; it answers ${allowed.join(', ')}.`,
    headers: { Allow: allowed.join(', ') },
    unexpected: false,
  };
}

function sendGraphError(
  exception: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  logger: ErrorLog,
  drainLimitBytes: number,
): void {
  if (exception instanceof CarriedAnswer) {
    // A retry of a key the previous release answered: its stored answer, as it was (not an error).
    if (exception.location) void reply.header('Location', exception.location);
    void reply
      .status(exception.status)
      .header('Idempotent-Replayed', 'true')
      .send(exception.body ?? undefined);
    return;
  }
  const error = methodNotAllowed(exception, request) ?? toGraphError(exception);
  const { requestId, clientRequestId } = requestIdsOf(reply);
  // The line names its request itself: there is no request-scoped logger to do it (see LoggingModule).
  const fields = (more: Record<string, unknown> = {}) => requestLogFields(request, { context: 'GraphError', ...more });
  if (error.unexpected) {
    logger.error(fields({ err: exception }), `${request.method} ${request.url} failed`);
  } else if (error.status === 503) {
    logger.warn(fields(), `${request.method} ${request.url} 503: ${(exception as Error)?.message}`);
  } else if (error.status === 401 || error.status === 403) {
    // Why a caller was refused, for operators; never the token itself.
    logger.warn(fields(), `${request.method} ${request.url} ${error.status} ${error.message}`);
  }
  const body = graphErrorBody(error, requestId, clientRequestId);
  if (error.status === 413) {
    const ids = { 'request-id': requestId, 'client-request-id': clientRequestId };
    answerThenDrain(request, reply, 413, { ...error.headers, ...ids }, JSON.stringify(body), drainLimitBytes);
    return;
  }
  void reply.status(error.status).headers(error.headers).type('application/json').send(body);
}

/**
 * Turns every exception into Graph's error body. Nest routes Fastify's own
 * errors (malformed JSON, body too large, media type) through here too.
 */
@Catch()
export class GraphErrorFilter implements ExceptionFilter {
  constructor(
    private readonly logger: ErrorLog,
    /** How much of a refused body is read and thrown away so the client can read the 413 (see answerThenDrain). */
    private readonly drainLimitBytes: number,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendGraphError(
      exception,
      http.getRequest<FastifyRequest>(),
      http.getResponse<FastifyReply>(),
      this.logger,
      this.drainLimitBytes,
    );
  }
}
