/**
 * npm run bench: cancelMediaProcessing on PostgreSQL, the service against a
 * bare node:http + pg server doing the same database work, side by side in
 * one run. Each request cancels a different call that has 3 prompts queued.
 * Prints requests/s, p50 and p99 latency of both and their ratio.
 */
import autocannon from 'autocannon';
import { spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

function load(url: string, callIds: string[], headers: Record<string, string>): Promise<Figures> {
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
    await load(service.url, serviceWarm, auth);
    await load(bare.url, bareWarm, {});
    const bareFigures = await load(bare.url, bareCalls, {});
    const serviceFigures = await load(service.url, serviceCalls, auth);

    const row = (name: string, f: Figures) =>
      `${name.padEnd(26)} ${f.requestsPerSecond.toFixed(0).padStart(8)} ${String(f.p50).padStart(8)} ${String(f.p99).padStart(8)} ${String(f.non2xx).padStart(7)}`;
    console.log(
      `\ncancelMediaProcessing, ${CONNECTIONS} connections, ${REQUESTS} requests each, 3 queued prompts per call`,
    );
    console.log(
      `${'server'.padEnd(26)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'non-2xx'.padStart(7)}`,
    );
    console.log(row('bare node:http + pg', bareFigures));
    console.log(row('calls-service', serviceFigures));
    console.log(
      `\nratio service/bare: throughput ${(serviceFigures.requestsPerSecond / bareFigures.requestsPerSecond).toFixed(2)}x, ` +
        `p50 ${(serviceFigures.p50 / Math.max(bareFigures.p50, 1)).toFixed(2)}x, p99 ${(serviceFigures.p99 / Math.max(bareFigures.p99, 1)).toFixed(2)}x`,
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
