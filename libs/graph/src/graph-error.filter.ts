import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { graphErrorBody, toGraphError } from './graph-error';
import { requestIdsOf } from './request-id.hook';

const logger = new Logger('GraphError');

function sendGraphError(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const error = toGraphError(exception);
  const { requestId, clientRequestId } = requestIdsOf(reply);
  if (error.unexpected) {
    logger.error(`${request.method} ${request.url} failed [request-id ${requestId}]`, (exception as Error)?.stack);
  } else if (error.status === 503) {
    logger.warn(`${request.method} ${request.url} 503: ${(exception as Error)?.message} [request-id ${requestId}]`);
  } else if (error.status === 401 || error.status === 403) {
    // Why a caller was refused, for operators; never the token itself.
    logger.warn(`${request.method} ${request.url} ${error.status} ${error.message} [request-id ${requestId}]`);
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
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendGraphError(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }
}
