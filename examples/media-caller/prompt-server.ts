import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WaveFile } from 'wavefile';

/** A WAV file of 16-bit mono samples. */
export function wavFile(samples: Int16Array, sampleRate = 8000): Buffer {
  const file = new WaveFile();
  file.fromScratch(1, sampleRate, '16', samples);
  return Buffer.from(file.toBuffer());
}

/**
 * The prompts' host, as a bot's CDN would be: https on loopback with a
 * self-signed certificate for 127.0.0.1 (made with openssl), which the
 * gateway trusts only through NODE_EXTRA_CA_CERTS=`certificateFile`. It
 * counts the requests for each path.
 */
export class PromptServer {
  private constructor(
    readonly hits: Map<string, number>,
    private readonly server: Server,
    private readonly directory: string,
    readonly certificateFile: string,
    private readonly files: Map<string, { body: Buffer; type: string; status: number }>,
  ) {}

  /** Starts it on `port` (any free one by default), its key and certificate in `directory` (a new temporary one by default). */
  static async start(options: { port?: number; directory?: string } = {}): Promise<PromptServer> {
    const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'prompt-server-')));
    await mkdir(directory, { recursive: true });
    const key = join(directory, 'key.pem');
    const cert = join(directory, 'cert.pem');
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ]);
    const files = new Map<string, { body: Buffer; type: string; status: number }>();
    const hits = new Map<string, number>();
    const server = createServer({ key: await readFile(key), cert: await readFile(cert) }, (request, response) => {
      const path = request.url ?? '/';
      hits.set(path, (hits.get(path) ?? 0) + 1);
      const file = files.get(path);
      if (!file) return response.writeHead(404).end('not found');
      response.writeHead(file.status, { 'content-type': file.type, 'content-length': file.body.length }).end(file.body);
    });
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
    return new PromptServer(hits, server, directory, cert, files);
  }

  /** Serves `body` at `path`; answers its https URL. */
  serve(path: string, body: Buffer, type = 'audio/wav', status = 200): string {
    this.files.set(path, { body, type, status });
    return this.url(path);
  }

  url(path: string): string {
    return `https://127.0.0.1:${(this.server.address() as { port: number }).port}${path}`;
  }

  /** Stops serving; `keepFiles` leaves the certificate where the gateway reads it. */
  async stop(keepFiles = false): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
    if (!keepFiles) await rm(this.directory, { recursive: true, force: true });
  }
}
