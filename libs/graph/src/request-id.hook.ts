import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestIdOf } from '@calls/runtime';

export const REQUEST_ID_HEADER = 'request-id';
export const CLIENT_REQUEST_ID_HEADER = 'client-request-id';
/** Longer client ids are not echoed: a header is no place to store a client's payload. */
const MAX_CLIENT_REQUEST_ID_LENGTH = 128;

/**
 * Every response carries Graph's `request-id` (ours) and `client-request-id`
 * (the client's, echoed, or ours when it sent none). Set as the request
 * arrives, so errors raised before any Nest code runs carry them too.
 */
export function registerGraphRequestIds(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    setGraphRequestIds(request, reply);
    done();
  });
}

/** The two ids on a reply; for answers given before the onRequest hooks run, too. */
export function setGraphRequestIds(request: FastifyRequest, reply: FastifyReply): void {
  const requestId = requestIdOf(request.raw);
  const sent = request.headers[CLIENT_REQUEST_ID_HEADER];
  const clientRequestId =
    typeof sent === 'string' && sent.length > 0 && sent.length <= MAX_CLIENT_REQUEST_ID_LENGTH ? sent : requestId;
  reply.header(REQUEST_ID_HEADER, requestId);
  reply.header(CLIENT_REQUEST_ID_HEADER, clientRequestId);
}

export function requestIdsOf(reply: FastifyReply): { requestId: string; clientRequestId: string } {
  const requestId = String(reply.getHeader(REQUEST_ID_HEADER) ?? randomUUID());
  return { requestId, clientRequestId: String(reply.getHeader(CLIENT_REQUEST_ID_HEADER) ?? requestId) };
}
