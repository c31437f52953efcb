import { spawn, ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { imageCommand } from '../image-command';

/* Processes under measurement: started alone on a loopback port, their CPU read from /proc (Linux). */

const TICK_MS = 10; // USER_HZ is 100 on Linux

export function cpuMsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime + stime
  } catch {
    return 0;
  }
}

/** The most resident memory the process has had (VmHWM), in MB. */
export function peakRssMbOf(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
    return line ? Number(line[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU time so far of each PostgreSQL process, by pid. */
export function postgresCpuMs(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim().startsWith('postgres'))
        byPid.set(Number(entry), cpuMsOf(Number(entry)));
    } catch {
      // the process ended meanwhile
    }
  }
  return byPid;
}

/** CPU PostgreSQL spent between two readings; a backend started in between counts from zero. */
export function postgresCpuSince(before: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of postgresCpuMs()) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** A loopback port nobody listens on now (the kernel's choice, not a guess that may collide). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a server script as its own process on a free loopback port and waits until it answers. */
export async function startProcess(
  script: string,
  env: Record<string, string>,
  nodeFlags: readonly string[] = [],
  /** The Node.js binary: this process's own unless a contender names another. */
  node: string = process.execPath,
): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(node, [...nodeFlags, script], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    // Request logs go to a pipe that is read and dropped, as a log shipper would read them.
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout!.resume();
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/health/live`)).ok) return { url, child };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`${script} did not start`);
}

/**
 * The Node flags the service's image starts it with, and
 * BENCH_SERVICE_NODE_FLAGS after them: every service contender runs as
 * deployed. The bare server gets none, as it has no image.
 */
export function serviceNodeFlags(): string[] {
  return [...imageCommand().nodeFlags, ...(process.env.BENCH_SERVICE_NODE_FLAGS ?? '').split(' ').filter(Boolean)];
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
