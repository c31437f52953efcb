import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { GraphHttpError } from './graph-error';

/**
 * Graph takes JSON bodies only: every other media type is a 415, not a
 * string or form the validators would then misjudge. Fastify's own parser
 * rejects `__proto__` and `constructor.prototype` keys.
 */
export function acceptJsonBodiesOnly(fastify: FastifyInstance, bodyLimit: number, maxDepth = MAX_JSON_DEPTH): void {
  fastify.removeAllContentTypeParsers();
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (request, body, done) =>
    parse(request, body as string, (error, value) => {
      if (error) return done(error, undefined);
      if (depthOf(value) > maxDepth) {
        return done(
          new GraphHttpError(400, 'invalidRequest', `The JSON body nests deeper than ${maxDepth} levels.`),
          undefined,
        );
      }
      done(null, value);
    }),
  );
}

/** No Graph body nests this deep; deeper is an attack on whatever walks it later. */
export const MAX_JSON_DEPTH = 32;

/** Depth of a parsed JSON value, without recursion (so a hostile depth cannot overflow the stack here). */
function depthOf(root: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    deepest = Math.max(deepest, depth);
    for (const child of Object.values(value as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Fastify's answer to requests Node cannot even parse (headers over the
 * limit, malformed request lines), in Graph's error shape. No request exists
 * yet, so the connection is answered directly and closed.
 */
export function graphClientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (socket.destroyed || !socket.writable) return;
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const requestId = randomUUID();
  const body = JSON.stringify({
    error: {
      code: tooLarge ? 'requestTooLarge' : 'invalidRequest',
      message: tooLarge ? 'The request headers are too large.' : 'The request could not be parsed.',
      innerError: {
        'request-id': requestId,
        'client-request-id': requestId,
        date: new Date().toISOString().slice(0, 19),
      },
    },
  });
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      `content-type: application/json\r\nrequest-id: ${requestId}\r\nconnection: close\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
