/**
 * npm run bench: cancelMediaProcessing on PostgreSQL, the service against a
 * bare node:http + pg server doing the same database work, side by side in
 * one run. Each request cancels a different call that has 3 prompts queued.
 * Prints requests/s, p50 and p99 latency of both and their ratio.
 */
import autocannon from 'autocannon';
import { spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';
import { DevTokenIssuer } from '@calls/auth';
import { createBenchDatabase, seedCalls } from './bench-database';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 8000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);
const owner = { tenantId: 'bench-tenant', appId: 'bench-app' };

interface Figures {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  /** CPU time per request of the server process and of all PostgreSQL processes (Linux /proc). */
  readonly serverCpuMs: number;
  readonly postgresCpuMs: number;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

function cpuMsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime + stime
  } catch {
    return 0;
  }
}

/** CPU time so far of each PostgreSQL process, by pid. */
function postgresCpuMs(): Map<number, number> {
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
function postgresCpuSince(before: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of postgresCpuMs()) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** Starts a server script as its own process on a free loopback port and waits until it answers. */
async function startProcess(
  script: string,
  env: Record<string, string>,
  nodeFlags: string[] = [],
): Promise<{ url: string; child: ChildProcess }> {
  const port = 30000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, [...nodeFlags, script], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
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

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function load(
  server: { url: string; child: ChildProcess },
  callIds: string[],
  headers: Record<string, string>,
): Promise<Figures> {
  const serverBefore = cpuMsOf(server.child.pid!);
  const postgresBefore = postgresCpuMs();
  const figures = await run(server.url, callIds, headers);
  return {
    ...figures,
    serverCpuMs: (cpuMsOf(server.child.pid!) - serverBefore) / callIds.length,
    postgresCpuMs: postgresCpuSince(postgresBefore) / callIds.length,
  };
}

function run(
  url: string,
  callIds: string[],
  headers: Record<string, string>,
): Promise<Omit<Figures, 'serverCpuMs' | 'postgresCpuMs'>> {
  let next = 0;
  return new Promise((resolvePromise, reject) => {
    autocannon(
      {
        url,
        connections: CONNECTIONS,
        amount: callIds.length,
        headers: { 'content-type': 'application/json', ...headers },
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => ({
              ...request,
              path: `/communications/calls/${callIds[next++ % callIds.length]}/cancelMediaProcessing`,
              body: JSON.stringify({ clientContext: `bench-${next}` }),
            }),
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        resolvePromise({
          requestsPerSecond: result.requests.average,
          p50: result.latency.p50,
          p99: result.latency.p99,
          non2xx: result.non2xx,
        });
      },
    );
  });
}

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'calls-bench-'));
  // The service first: it runs the migrations that create the tables both servers use.
  const service = await startProcess(
    resolve(__dirname, '../../apps/calls-service/src/main.js'),
    { DATABASE_URL: database.url, DATA_DIR: dataDir, SIMULATED_PROMPT_MS: String(3_600_000) },
    process.env.BENCH_SERVICE_NODE_FLAGS?.split(' ').filter(Boolean),
  );
  const bare = await startProcess(resolve(__dirname, 'bare-cancel.server.js'), {
    DATABASE_URL: database.url,
    BENCH_TENANT: owner.tenantId,
    BENCH_APP: owner.appId,
  });
  const pool = new Pool({ connectionString: database.url, max: 4 });
  try {
    const token = DevTokenIssuer.forDataDir(dataDir).issue({ ...owner, roles: ['Calls.Initiate.All'] });
    const auth = { authorization: `Bearer ${token}` };
    console.log(`seeding ${2 * (REQUESTS + WARMUP)} calls with 3 queued prompts each ...`);
    const [serviceWarm, serviceCalls, bareWarm, bareCalls] = [
      await seedCalls(pool, owner, WARMUP),
      await seedCalls(pool, owner, REQUESTS),
      await seedCalls(pool, owner, WARMUP),
      await seedCalls(pool, owner, REQUESTS),
    ];
    await pool.query('VACUUM ANALYZE');
    await load(service, serviceWarm, auth);
    await load(bare, bareWarm, {});
    const bareFigures = await load(bare, bareCalls, {});
    const serviceFigures = await load(service, serviceCalls, auth);

    const columns: [string, number, (f: Figures) => string][] = [
      ['req/s', 8, (f) => f.requestsPerSecond.toFixed(0)],
      ['p50 ms', 8, (f) => String(f.p50)],
      ['p99 ms', 8, (f) => String(f.p99)],
      ['non-2xx', 8, (f) => String(f.non2xx)],
      ['cpu ms/req', 11, (f) => f.serverCpuMs.toFixed(2)],
      ['pg cpu ms/req', 14, (f) => f.postgresCpuMs.toFixed(2)],
    ];
    const row = (name: string, cell: (column: (typeof columns)[number]) => string) =>
      `${name.padEnd(22)}${columns.map((column) => cell(column).padStart(column[1])).join('')}`;
    console.log(
      `\ncancelMediaProcessing, ${CONNECTIONS} connections, ${REQUESTS} requests each, 3 queued prompts per call`,
    );
    console.log(row('server', ([title]) => title));
    console.log(row('bare node:http + pg', ([, , value]) => value(bareFigures)));
    console.log(row('calls-service', ([, , value]) => value(serviceFigures)));
    const ratio = (value: (f: Figures) => number) =>
      (value(serviceFigures) / Math.max(value(bareFigures), 1e-9)).toFixed(2);
    console.log(
      `\nratio service/bare: throughput ${ratio((f) => f.requestsPerSecond)}x, p50 ${ratio((f) => f.p50)}x, ` +
        `p99 ${ratio((f) => f.p99)}x, server cpu/req ${ratio((f) => f.serverCpuMs)}x, postgres cpu/req ${ratio((f) => f.postgresCpuMs)}x`,
    );
  } finally {
    await stop(bare.child);
    await stop(service.child);
    await pool.end();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
