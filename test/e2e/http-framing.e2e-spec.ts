import request from 'supertest';
import { rawExchange, upload } from '../support/raw-http';
import { createSqliteDatabase } from '../support/test-databases';
import { serviceForSuite } from '../support/test-app';

const GRAPH_ERROR = {
  error: {
    code: expect.any(String),
    message: expect.any(String),
    innerError: { 'request-id': expect.any(String), 'client-request-id': expect.any(String), date: expect.any(String) },
  },
};
const KB = 1024;
const MB = 1024 * KB;

/**
 * What the HTTP layer answers on its own, before any route runs: every
 * answer is Graph's error body with the request ids and the right status
 * (raw sockets, so no client tidies the request first; SQLite).
 */
describe('answers of the HTTP layer (raw sockets)', () => {
  const suite = serviceForSuite(createSqliteDatabase, { BODY_LIMIT_BYTES: String(64 * KB) });
  const raw = (text: string) => rawExchange(suite.service.url, text);
  const auth = () => `Authorization: ${suite.auth}\r\n`;

  it.each([
    [
      'a malformed percent-encoding in the path',
      () => `GET /communications/calls/%zz HTTP/1.1\r\nHost: x\r\n${auth()}\r\n`,
      400,
      'invalidRequest',
      /percent-encoding/,
    ],
    [
      'a path parameter over the router limit',
      () => `GET /communications/calls/${'a'.repeat(2000)} HTTP/1.1\r\nHost: x\r\n${auth()}\r\n`,
      414,
      'invalidRequest',
      /URI is too long/,
    ],
    [
      'a request line longer than the header limit',
      () => `GET /communications/calls?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      414,
      'invalidRequest',
      /URI is too long/,
    ],
    [
      'a header section too large',
      () => `GET /communications/calls/x HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'requestTooLarge',
      /headers are too large/,
    ],
    [
      'a body over the limit (Content-Length)',
      () =>
        `POST /communications/calls HTTP/1.1\r\nHost: x\r\n${auth()}Content-Type: application/json\r\nContent-Length: ${64 * KB + 1}\r\n\r\n{}`,
      413,
      'requestTooLarge',
      /body is too large/,
    ],
    [
      'an unsupported media type',
      () =>
        `POST /communications/calls HTTP/1.1\r\nHost: x\r\n${auth()}Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi`,
      415,
      'unsupportedMediaType',
      /must be JSON/,
    ],
    [
      'a wrong method on a known path',
      () =>
        `PUT /v1.0/communications/calls/00000000-0000-4000-8000-000000000001/cancelMediaProcessing HTTP/1.1\r\nHost: x\r\n${auth()}Content-Length: 0\r\n\r\n`,
      405,
      'notSupported',
      /PUT is not supported on this resource; it answers POST/,
    ],
    ['an unknown route', () => `GET /nope HTTP/1.1\r\nHost: x\r\n\r\n`, 404, 'itemNotFound', /nope/],
    ['a request line that is not HTTP', () => `HELLO\r\n\r\n`, 400, 'invalidRequest', /could not be parsed/],
  ])(
    '%s: the status and code of the table, in a Graph error body with its request-id',
    async (_case, text, status, code, message) => {
      const answer = await raw(text());
      expect({ status: answer.status, type: answer.headers['content-type'] }).toEqual({
        status,
        type: expect.stringMatching(/^application\/json/),
      });
      const body = JSON.parse(answer.body);
      expect(body).toEqual(GRAPH_ERROR);
      expect(body.error).toMatchObject({ code, message: expect.stringMatching(message) });
      expect(answer.headers['request-id']).toBe(body.error.innerError['request-id']);
    },
  );

  it('says which methods a known path answers, in Allow', async () => {
    const answer = await raw(`DELETE /communications/calls HTTP/1.1\r\nHost: x\r\n${auth()}\r\n`);
    expect({ status: answer.status, allow: answer.headers.allow }).toEqual({ status: 405, allow: 'POST' });
  });

  describe('a body over the limit: the client reads the 413, whether it sends Content-Length or chunks', () => {
    it.each([
      ['just over the limit', 64 * KB + 1],
      ['2 MB', 2 * MB],
      ['8 MB', 8 * MB],
    ])('%s', async (_size, bytes) => {
      for (const framing of ['content-length', 'chunked'] as const) {
        const outcome = await upload(suite.service.url, '/communications/calls', bytes, framing);
        expect({ framing, status: outcome.status, error: outcome.error }).toEqual({
          framing,
          status: 413,
          error: undefined,
        });
        expect(JSON.parse(outcome.body!)).toMatchObject({ error: { code: 'requestTooLarge' } });
      }
    });

    it('cuts a client that keeps sending past the drain bound, and goes on serving others', async () => {
      const drainBound = 16 * MB; // BODY_DRAIN_LIMIT_BYTES' default
      const outcome = await upload(suite.service.url, '/communications/calls', drainBound + 16 * MB, 'chunked');
      // It may have read the 413 before the cut, or met the cut first; it is never left waiting.
      expect([413, undefined]).toContain(outcome.status);
      const health = await request(suite.service.url).get('/health/live');
      expect(health.status).toBe(200);
    });
  });
});
