import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { graphErrorBody, toGraphError } from './graph-error';
import { requestLogFields } from '@calls/runtime';
import { requestIdsOf } from './request-id.hook';

/** Where the filter says why a request failed: the service's pino logger. */
export interface ErrorLog {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

function sendGraphError(exception: unknown, request: FastifyRequest, reply: FastifyReply, logger: ErrorLog): void {
  const error = toGraphError(exception);
  const { requestId, clientRequestId } = requestIdsOf(reply);
  // The line names its request itself: there is no request-scoped logger to do it (see LoggingModule).
  const fields = () => ({ ...requestLogFields(request), context: 'GraphError' });
  if (error.unexpected) {
    logger.error({ ...fields(), err: exception }, `${request.method} ${request.url} failed`);
  } else if (error.status === 503) {
    logger.warn(fields(), `${request.method} ${request.url} 503: ${(exception as Error)?.message}`);
  } else if (error.status === 401 || error.status === 403) {
    // Why a caller was refused, for operators; never the token itself.
    logger.warn(fields(), `${request.method} ${request.url} ${error.status} ${error.message}`);
  }
  void reply
    .status(error.status)
    .headers(error.headers)
    .type('application/json')
    .send(graphErrorBody(error, requestId, clientRequestId));
}

/**
 * Turns every exception into Graph's error body. Nest routes Fastify's own
 * errors (malformed JSON, body too large, media type) through here too.
 */
@Catch()
export class GraphErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: ErrorLog) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendGraphError(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), this.logger);
  }
}
