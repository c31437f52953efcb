import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { graphErrorBody, GraphHttpError, toGraphError } from './graph-error';
import type { GraphError } from './graph-error';
import { requestIdsOf, setGraphRequestIds } from './request-id.hook';

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

/** A request line longer than this is refused as a URI too long (414). */
const MAX_REQUEST_LINE = 8 * 1024;

/**
 * What the router answers before any hook runs (a malformed percent-encoding
 * in the path, 400; a path parameter over the router's limit, 414), in
 * Graph's error shape with the request ids: Fastify's `frameworkErrors`.
 */
export function graphFrameworkErrorHandler(
  error: Error & { statusCode?: number; code?: string },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  setGraphRequestIds(request, reply);
  const message =
    error.code === 'FST_ERR_BAD_URL'
      ? 'The request URL is malformed (its percent-encoding is not valid).'
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? 'The request URI is too long.'
        : error.message;
  const graph: GraphError = Object.assign({}, toGraphError(error), { message });
  const { requestId, clientRequestId } = requestIdsOf(reply);
  void reply
    .status(graph.status)
    .type('application/json')
    .send(graphErrorBody(graph, requestId, clientRequestId));
}

/**
 * The methods each path of the API answers, collected as routes are added,
 * so a known path asked with another method gets 405 with `Allow` instead of
 * looking like a path that does not exist.
 */
export function registerAllowedMethods(fastify: FastifyInstance): void {
  const routes: { pattern: RegExp; method: string }[] = [];
  fastify.addHook('onRoute', (route) => {
    const pattern = new RegExp(`^${route.url.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[^/]+/g, '[^/]+')}/?$`);
    for (const method of [route.method].flat()) routes.push({ pattern, method });
  });
  fastify.decorate('allowedMethods', (url: string) => {
    const path = url.split('?')[0];
    return [...new Set(routes.filter((route) => route.pattern.test(path)).map((route) => route.method))];
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The methods the API answers on this URL's path (see registerAllowedMethods). */
    allowedMethods?(url: string): string[];
  }
}

/**
 * Fastify's answer to requests Node cannot even parse (headers over the
 * limit, malformed request lines), in Graph's error shape. No request exists
 * yet, so the connection is answered directly and closed.
 */
export function graphClientErrorHandler(error: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
  if (socket.destroyed || !socket.writable) return;
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  // Node counts the request line with the headers: a line that alone fills the limit is a URI too long.
  const packet = Buffer.isBuffer(error.rawPacket) ? error.rawPacket : Buffer.alloc(0);
  const uriTooLong = tooLarge && !packet.subarray(0, MAX_REQUEST_LINE).includes('\r\n');
  const status = uriTooLong ? 414 : tooLarge ? 431 : 400;
  const requestId = randomUUID();
  const body = JSON.stringify({
    error: {
      // Graph documents no code for 414; the URI is a malformed request as far as a client can tell.
      code: uriTooLong ? 'invalidRequest' : tooLarge ? 'requestTooLarge' : 'invalidRequest',
      message: uriTooLong
        ? 'The request URI is too long.'
        : tooLarge
          ? 'The request headers are too large.'
          : 'The request could not be parsed.',
      innerError: {
        'request-id': requestId,
        'client-request-id': requestId,
        date: new Date().toISOString().slice(0, 19),
      },
    },
  });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      `content-type: application/json\r\nrequest-id: ${requestId}\r\nconnection: close\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * Answers a request whose body is refused unread (413), so the client can
 * read the answer: a client still sending when the server closes gets
 * EPIPE/ECONNRESET instead. Node would close the socket as soon as its own
 * response finished, so the answer is written to the socket directly; the
 * rest of the body is then read and discarded, up to `maxDrainBytes`, and the
 * connection closed once it ends; past that bound it is cut.
 */
export function answerThenDrain(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  headers: Record<string, string | number>,
  body: string,
  maxDrainBytes: number,
): void {
  const socket = request.raw.socket;
  reply.hijack();
  const lines = Object.entries(
    Object.assign({}, headers, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    }),
  ).map(([name, value]) => `${name}: ${value}`);
  socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join('\r\n')}\r\n\r\n${body}`);
  let drained = 0;
  const cut = () => socket.destroy();
  request.raw.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > maxDrainBytes) cut();
  });
  request.raw.once('end', () => socket.end());
  request.raw.once('error', cut);
  if (request.raw.complete) socket.end();
  else request.raw.resume();
}
