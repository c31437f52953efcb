import { createServer as createHttpServer } from 'node:http';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { bdecode, bencode } from './bencode';
import { RtpengineClient, RtpengineError } from './ng-client';

/** A stand-in ng server for this class's framing; the real engine is in test/integration/rtpengine.int-spec.ts. */
describe('RtpengineClient', () => {
  let server: Server;
  let sockets: Socket[];
  let onMessage: (socket: Socket, cookie: string, message: Record<string, unknown>) => void;
  let client: RtpengineClient;

  beforeEach(async () => {
    sockets = [];
    server = createServer((socket) => {
      sockets.push(socket);
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length) {
          const space = buffered.indexOf(0x20);
          const { value, end } = bdecode(buffered, space + 1);
          const cookie = buffered.toString('latin1', 0, space);
          buffered = buffered.subarray(end);
          onMessage(socket, cookie, value as Record<string, unknown>);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new RtpengineClient({ host: '127.0.0.1', port: (server.address() as AddressInfo).port }, 300);
  });

  afterEach(async () => {
    await client.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const reply = (cookie: string, value: Record<string, unknown>) =>
    Buffer.concat([Buffer.from(`${cookie} `), bencode(value as never)]);

  it('matches answers to commands by cookie, whole or split across chunks, several in one chunk', async () => {
    const held: Buffer[] = [];
    onMessage = (socket, cookie, message) => {
      held.push(reply(cookie, { result: 'ok', echo: message.command as string }));
      if (held.length < 3) return;
      // Answer in reverse order, in one stream cut at awkward places.
      const stream = Buffer.concat(held.reverse());
      socket.write(stream.subarray(0, 5));
      setTimeout(() => socket.write(stream.subarray(5, 40)), 10);
      setTimeout(() => socket.write(stream.subarray(40)), 20);
    };
    const answers = await Promise.all(['ping', 'query', 'list'].map((command) => client.request({ command })));
    expect(answers.map((answer) => answer.echo)).toEqual(['ping', 'query', 'list']);
  });

  it('sends a blob as bytes', async () => {
    const blob = Buffer.from([0, 1, 0x20, 0xff, 0x65]);
    let received: unknown;
    onMessage = (socket, cookie, message) => {
      received = message.blob;
      socket.write(reply(cookie, { result: 'ok' }));
    };
    await client.request({ command: 'play media', blob });
    expect(Buffer.from(received as string, 'latin1')).toEqual(blob);
  });

  it("rejects with the engine's error-reason", async () => {
    onMessage = (socket, cookie) => socket.write(reply(cookie, { result: 'error', 'error-reason': 'Unknown call-id' }));
    await expect(client.request({ command: 'delete', 'call-id': 'x' })).rejects.toThrow(
      new RtpengineError('Unknown call-id', 'delete'),
    );
  });

  it('times a command out, and ignores its late answer', async () => {
    let late: (() => void) | undefined;
    onMessage = (socket, cookie, message) => {
      if (message.command === 'query') late = () => socket.write(reply(cookie, { result: 'ok', late: 1 }));
      else socket.write(reply(cookie, { result: 'ok' }));
    };
    await expect(client.request({ command: 'query' })).rejects.toThrow('rtpengine query: no answer within 300 ms');
    late!();
    await expect(client.request({ command: 'ping' })).resolves.toEqual({ result: 'ok' });
  });

  it('fails the commands in flight when the connection drops, and reconnects for the next', async () => {
    onMessage = (socket, cookie, message) => {
      if (message.command === 'query') socket.destroy();
      else socket.write(reply(cookie, { result: 'pong' }));
    };
    await expect(client.request({ command: 'query' })).rejects.toThrow('the connection closed');
    await expect(client.request({ command: 'ping' })).resolves.toEqual({ result: 'pong' });
    expect(sockets).toHaveLength(2);
  });

  it('names the address when the engine cannot be reached', async () => {
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    await expect(client.request({ command: 'ping' })).rejects.toThrow(`127.0.0.1:${port}`);
    server.listen(0); // so afterEach closes something
  });

  it('posts commands with a blob over HTTP, 4 at most at once, and the rest over TCP', async () => {
    let inFlight = 0;
    let most = 0;
    const http = createHttpServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        const body = Buffer.concat(chunks);
        const space = body.indexOf(0x20);
        const message = bdecode(body, space + 1).value as { blob: string };
        setTimeout(() => {
          inFlight -= 1;
          response.end(reply(body.toString('latin1', 0, space), { result: 'ok', duration: message.blob.length }));
        }, 20);
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/ng`;
    const viaHttp = new RtpengineClient({ host: '127.0.0.1', port: (server.address() as AddressInfo).port }, 2000, url);
    onMessage = (socket, cookie, message) =>
      socket.write(reply(cookie, { result: 'ok', tcp: message.command as string }));
    try {
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => viaHttp.request({ command: 'play media', blob: Buffer.alloc(i + 1) })),
      );
      expect(answers.map((answer) => answer.duration)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(most).toBe(4);
      expect(await viaHttp.request({ command: 'stop media' })).toEqual({ result: 'ok', tcp: 'stop media' });
    } finally {
      await viaHttp.close();
      await new Promise((resolve) => http.close(resolve));
    }
  });
});
