import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { until } from './waits';

const ROOT = join(__dirname, '..', '..');

/** Compiles the apps as `npm start` runs them, for tests of what only the real process does. */
export async function buildApps(): Promise<void> {
  await promisify(execFile)('npm', ['run', '-s', 'build'], { cwd: ROOT, timeout: 120_000 });
}

/** A loopback port nobody listens on now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * One compiled app (`dist/apps/<app>/src/main.js`) as its own process, as
 * the container runs it; its output is kept to explain a failure.
 */
export class AppProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> | null = null;
  output = '';

  constructor(
    private readonly app: string,
    private readonly env: Record<string, string>,
  ) {}

  /** Starts the process and waits until `GET <readyUrl>` answers 200. */
  async start(readyUrl: string): Promise<void> {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', this.app, 'src', 'main.js')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await until(async () => {
        if (child.exitCode !== null) throw new Error(`${this.app} exited with ${child.exitCode}:\n${this.output}`);
        return fetch(readyUrl).then(
          (response) => response.ok,
          () => false,
        );
      }, 30_000);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** SIGTERM, as Kubernetes stops a pod; answers the exit code. */
  async stop(): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null) return this.child?.exitCode ?? null;
    this.child.kill('SIGTERM');
    return this.exited;
  }
}
