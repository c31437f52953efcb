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

export interface AppProcessOptions {
  /** Where the compiled code and its node_modules are; the repository by default. */
  readonly root?: string;
  /** Run as this user and group (only possible as root). */
  readonly uid?: number;
  readonly gid?: number;
  /** Command-line arguments after the script. */
  readonly args?: readonly string[];
  /** Node's own flags, before the script (as the image's command gives them). */
  readonly nodeFlags?: readonly string[];
}

/**
 * One compiled entry point (`dist/<script>`, e.g. `apps/notifier/src/main.js`)
 * as its own process, as the container runs it; its output is kept to
 * explain a failure.
 */
export class AppProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> | null = null;
  output = '';

  constructor(
    private readonly app: string,
    private readonly env: Record<string, string>,
    private readonly options: AppProcessOptions = {},
  ) {}

  private get script(): string {
    return this.app.endsWith('.js') ? this.app : join('apps', this.app, 'src', 'main.js');
  }

  /** Starts the process and waits until `GET <ready>` answers 200, or its output matches `ready`. */
  async start(ready: string | RegExp): Promise<void> {
    const child = this.spawn();
    try {
      await until(async () => {
        if (child.exitCode !== null) throw new Error(`${this.app} exited with ${child.exitCode}:\n${this.output}`);
        if (ready instanceof RegExp) return ready.test(this.output);
        return fetch(ready).then(
          (response) => response.ok,
          () => false,
        );
      }, 30_000);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Runs a command (such as the migration) to its end; answers its exit code. */
  run(): Promise<number | null> {
    this.spawn();
    return this.exited!;
  }

  private spawn(): ChildProcess {
    const root = this.options.root ?? ROOT;
    const argv = [...(this.options.nodeFlags ?? []), join(root, 'dist', this.script), ...(this.options.args ?? [])];
    const child = spawn(process.execPath, argv, {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(this.options.uid === undefined ? {} : { uid: this.options.uid, gid: this.options.gid }),
    });
    this.child = child;
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    return child;
  }

  /** Ends the process at once with `signal` (SIGKILL: a crash, nothing flushed); answers when it is gone. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
  }

  /** SIGTERM, as Kubernetes stops a pod; answers the exit code. */
  async stop(): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null)
      return this.child?.exitCode ?? null;
    this.child.kill('SIGTERM');
    return this.exited;
  }
}
