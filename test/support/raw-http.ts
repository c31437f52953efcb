import type { Response } from 'superagent';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';

export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Parses the first HTTP/1.1 answer in what a socket received. */
function parseAnswer(received: string): RawAnswer {
  const [head, ...rest] = received.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const at = line.indexOf(':');
      return [line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim()];
    }),
  );
  const length = Number(headers['content-length'] ?? NaN);
  const body = rest.join('\r\n\r\n');
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: Number.isNaN(length) ? body : body.slice(0, length),
  };
}

/**
 * Sends bytes exactly as given over a plain socket (no client normalises
 * the URL, the method or the headers) and answers the first response.
 */
export function rawExchange(baseUrl: string, request: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const answer = received.includes('\r\n\r\n') ? parseAnswer(received) : null;
      if (answer && Buffer.byteLength(answer.body) >= Number(answer.headers['content-length'] ?? Infinity)) {
        socket.destroy();
        resolve(answer);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => (received ? resolve(parseAnswer(received)) : reject(new Error('no answer'))));
  });
}

export interface UploadOutcome {
  /** The answer the client could read, if any. */
  readonly status?: number;
  readonly body?: string;
  /** What the client's socket said instead, if it could not read one (EPIPE, ECONNRESET). */
  readonly error?: string;
}

/** A client POSTing `bytes` of body, with Content-Length or chunked, as Node's http client does. */
export function upload(
  baseUrl: string,
  path: string,
  bytes: number,
  framing: 'content-length' | 'chunked',
): Promise<UploadOutcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/json' };
    if (framing === 'content-length') headers['content-length'] = bytes;
    const { hostname, port } = new URL(baseUrl);
    const req = httpRequest({ host: hostname, port, method: 'POST', path, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    const chunk = Buffer.alloc(64 * 1024, 0x20); // JSON whitespace: a body that is only too large, not malformed
    let sent = 0;
    const write = () => {
      while (sent < bytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, bytes - sent));
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

/** A supertest parser that keeps the body as bytes (a WAV, say): `.buffer(true).parse(asBytes)`. */
export function asBytes(response: Response, done: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('end', () => done(null, Buffer.concat(chunks)));
}
