/**
 * npm run bench: cancelMediaProcessing on PostgreSQL, the service against a
 * bare node:http + pg server doing the same writes (as the service sent them
 * before it folded a command into two statements), side by side in
 * one run. Each request cancels a different call that has 3 prompts queued.
 * Prints requests/s, p50 and p99 latency of both and their ratio.
 */
import autocannon from 'autocannon';
import { connect } from 'amqplib';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';
import { generateKeyPairSync } from 'node:crypto';
import { DevTokenIssuer } from '@calls/auth';
import { startIdentityProvider } from './bench-identity';
import { SweepSeries, sweepChart, writeLastRun } from './bench-report';
import { createBenchDatabase, seedCalls } from './bench-database';
import { cpuMsOf, peakRssMbOf, postgresCpuMs, postgresCpuSince, startProcess, stop } from './bench-process';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 8000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);
const owner = { tenantId: 'bench-tenant', appId: 'bench-app' };
/** Connection counts of the sweep (the chart in docs/performance.md); empty to skip it. */
const SWEEP = (process.env.BENCH_SWEEP ?? '10,25,50,100').split(',').filter(Boolean).map(Number);
const SWEEP_REQUESTS = Number(process.env.BENCH_SWEEP_REQUESTS ?? 2000);
const DOCS = resolve(__dirname, '../../../docs');

/** What the run prints, kept to write the last-run section of docs/performance.md. */
const printed: string[] = [];
function say(line: string): void {
  console.log(line);
  printed.push(line);
}
const AMQP_URL = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

interface Figures {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** Mean latency (ms, fractional: p50 and p99 are whole milliseconds). */
  readonly mean: number;
  readonly non2xx: number;
  /** CPU time per request of the server process and of all PostgreSQL processes (Linux /proc). */
  readonly serverCpuMs: number;
  readonly postgresCpuMs: number;
  /** The server's peak resident memory so far (after its warm-up and this load). */
  readonly peakRssMb: number;
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
    peakRssMb: peakRssMbOf(server.child.pid!),
  };
}

function run(
  url: string,
  callIds: string[],
  headers: Record<string, string>,
  connections = CONNECTIONS,
): Promise<Omit<Figures, 'serverCpuMs' | 'postgresCpuMs' | 'peakRssMb'>> {
  let next = 0;
  // autocannon ends a run on its once-a-second tick, so its own duration rounds up to whole seconds.
  const started = performance.now();
  let lastResponse = started;
  return new Promise((resolvePromise, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
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
          // From the first request to the last answer.
          requestsPerSecond: result.requests.total / Math.max((lastResponse - started) / 1000, 1e-9),
          mean: result.latency.mean,
          p50: result.latency.p50,
          p99: result.latency.p99,
          non2xx: result.non2xx,
        });
      },
    );
    instance.on('response', () => (lastResponse = performance.now()));
  });
}

async function deleteExchange(url: string, exchange: string): Promise<void> {
  const connection = await connect(url).catch(() => null);
  if (!connection) return;
  const channel = await connection.createChannel();
  await channel.deleteExchange(exchange).catch(() => undefined);
  await connection.close();
}

interface Contender {
  readonly name: string;
  readonly script: string;
  readonly env: Record<string, string>;
  readonly authenticated: boolean;
  /** The bearer token it takes; the dev issuer's by default. */
  readonly token?: string;
}

/** Queue depth must not cost a cancel time: one at a time, calls with 1 and with 20 operations on the queue. */
async function queueDepth(contender: Contender, pool: Pool): Promise<void> {
  const server = await startProcess(contender.script, contender.env);
  try {
    const headers = { authorization: `Bearer ${contender.token}` };
    const latency: Record<number, number> = {};
    for (const queued of [1, 20, 1, 20]) {
      const calls = await seedCalls(pool, owner, 300, queued);
      const figures = await run(server.url, calls, headers, 1);
      if (figures.non2xx > 0) throw new Error(`queue depth ${queued}: ${figures.non2xx} non-2xx answers`);
      latency[queued] = figures.mean; // the second round of each, after the first warmed up
    }
    say(
      `cancel with 20 queued / with 1 queued (${contender.name}, one connection, mean): ` +
        `${latency[20].toFixed(2)} ms / ${latency[1].toFixed(2)} ms = ${(latency[20] / Math.max(latency[1], 1e-9)).toFixed(2)}x`,
    );
  } finally {
    await stop(server.child);
  }
}

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'calls-bench-'));
  const exchange = `calls.bench.${process.pid}`;
  const serviceScript = resolve(__dirname, '../../apps/calls-service/src/main.js');
  // One bot drives all the load: its throttling budget is lifted, throttling is not what is measured.
  const serviceEnv = {
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    SIMULATED_PROMPT_MS: String(3_600_000),
    THROTTLE_LIMIT: String(1e9),
  };
  const identity = await startIdentityProvider(owner);
  // As deployed: NODE_ENV=production, tokens verified against a JWKS, throttling in Redis at Graph's limit,
  // the relay publishing to RabbitMQ with confirms, request logs at info, metrics on.
  const production: Contender = {
    name: 'service, production config',
    script: serviceScript,
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      SIMULATED_PROMPT_MS: String(3_600_000),
      AUTH_JWKS_URI: identity.jwksUri,
      AUTH_ISSUER: identity.issuer,
      AUTH_AUDIENCE: identity.audience,
      NOTIFICATION_SIGNING_KEY: generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
      REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
      AMQP_URL,
      AMQP_EXCHANGE: `${exchange}.production`,
      LOG_LEVEL: 'info',
    },
    authenticated: true,
    token: identity.token,
  };
  // One after another, each alone on the machine.
  const all: Contender[] = [
    production,
    {
      name: 'calls-service, relay off',
      script: serviceScript,
      env: { ...serviceEnv, OUTBOX_RELAY: 'off' },
      authenticated: true,
    },
    {
      name: 'bare node:http + pg',
      script: resolve(__dirname, 'bare-cancel.server.js'),
      env: { DATABASE_URL: database.url, BENCH_TENANT: owner.tenantId, BENCH_APP: owner.appId },
      authenticated: false,
    },
    {
      name: 'calls-service, relay on',
      script: serviceScript,
      env: {
        ...serviceEnv,
        AMQP_URL: process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
        AMQP_EXCHANGE: exchange,
      },
      authenticated: true,
    },
  ];
  // BENCH_BASELINE=<another build's apps/calls-service/src/main.js>: that build too, to compare two versions in one run.
  if (process.env.BENCH_BASELINE) {
    const relayOff = all.find((contender) => contender.name === 'calls-service, relay off')!;
    all.splice(2, 0, { ...relayOff, name: 'baseline build, relay off', script: resolve(process.env.BENCH_BASELINE) });
  }
  // BENCH_ONLY=<part of a name> runs just the matching contenders (e.g. to profile one).
  const contenders = all.filter((contender) => contender.name.includes(process.env.BENCH_ONLY ?? ''));
  const pool = new Pool({ connectionString: database.url, max: 4 });
  const figures = new Map<string, Figures>();
  const sweep: SweepSeries[] = [];
  try {
    const token = DevTokenIssuer.forDataDir(dataDir).issue({ ...owner, roles: ['Calls.Initiate.All'] });
    for (const [i, contender] of contenders.entries()) {
      const server = await startProcess(
        contender.script,
        contender.env,
        contender.authenticated ? process.env.BENCH_SERVICE_NODE_FLAGS?.split(' ').filter(Boolean) : [],
      );
      try {
        if (i === 0)
          console.log(`seeding ${contenders.length * (REQUESTS + WARMUP)} calls with 3 queued prompts each ...`);
        const warm = await seedCalls(pool, owner, WARMUP);
        const calls = await seedCalls(pool, owner, REQUESTS);
        // Events the contenders before wrote are not this one's work (a relay would publish them meanwhile).
        await pool.query('DELETE FROM outbox');
        await pool.query('VACUUM ANALYZE');
        const bearer = contender.token ?? token;
        const headers: Record<string, string> = contender.authenticated ? { authorization: `Bearer ${bearer}` } : {};
        await load(server, warm, headers);
        figures.set(contender.name, await load(server, calls, headers));
        const points: SweepSeries['points'][number][] = [];
        for (const connections of SWEEP) {
          const result = await run(server.url, await seedCalls(pool, owner, SWEEP_REQUESTS), headers, connections);
          points.push({ connections, requestsPerSecond: result.requestsPerSecond, p99: result.p99 });
        }
        if (points.length > 0) sweep.push({ name: contender.name, points });
      } finally {
        await stop(server.child);
      }
    }

    const columns: [string, number, (f: Figures) => string][] = [
      ['req/s', 8, (f) => f.requestsPerSecond.toFixed(0)],
      ['p50 ms', 8, (f) => String(f.p50)],
      ['p99 ms', 8, (f) => String(f.p99)],
      ['non-2xx', 8, (f) => String(f.non2xx)],
      ['cpu ms/req', 11, (f) => f.serverCpuMs.toFixed(2)],
      ['pg cpu ms/req', 14, (f) => f.postgresCpuMs.toFixed(2)],
      ['peak rss MB', 12, (f) => f.peakRssMb.toFixed(0)],
    ];
    const row = (name: string, cell: (column: (typeof columns)[number]) => string) =>
      `${name.padEnd(26)}${columns.map((column) => cell(column).padStart(column[1])).join('')}`;
    say(`\ncancelMediaProcessing, ${CONNECTIONS} connections, ${REQUESTS} requests each, 3 queued prompts per call`);
    say(row('server', ([title]) => title));
    for (const contender of contenders) say(row(contender.name, ([, , value]) => value(figures.get(contender.name)!)));
    const bare = figures.get('bare node:http + pg');
    for (const name of [
      'service, production config',
      'calls-service, relay off',
      'baseline build, relay off',
      'calls-service, relay on',
    ]) {
      const service = figures.get(name);
      if (!service || !bare) continue;
      const ratio = (value: (f: Figures) => number) => (value(service) / Math.max(value(bare), 1e-9)).toFixed(2);
      say(
        `ratio (${name}) / bare: throughput ${ratio((f) => f.requestsPerSecond)}x, p50 ${ratio((f) => f.p50)}x, ` +
          `p99 ${ratio((f) => f.p99)}x, server cpu/req ${ratio((f) => f.serverCpuMs)}x, postgres cpu/req ${ratio((f) => f.postgresCpuMs)}x`,
      );
    }
    say(
      '(relay off: the same writes as the bare server, in two statements instead of five; relay on: also publishing every event to RabbitMQ)',
    );
    if (contenders.includes(production)) await queueDepth(production, pool);
    for (const series of sweep) {
      const points = series.points.map(
        (p) => `${p.connections}: ${p.requestsPerSecond.toFixed(0)} req/s, p99 ${p.p99} ms`,
      );
      say(`sweep (${series.name}, ${SWEEP_REQUESTS} requests each) ${points.join('; ')}`);
    }
    const failing = contenders.filter((contender) => figures.get(contender.name)!.non2xx > 0);
    if (failing.length > 0) {
      // Errors are cheaper than work: ratios over failed requests would flatter the service.
      console.log(`NOT COMPARABLE: non-2xx answers from ${failing.map((c) => c.name).join(', ')}`);
      process.exitCode = 1;
    }
    // A full run (every contender, no other build) rewrites the last-run section and the chart.
    if (failing.length === 0 && !process.env.BENCH_ONLY && !process.env.BENCH_BASELINE) {
      if (sweep.length > 0) writeFileSync(join(DOCS, 'performance-sweep.svg'), sweepChart(sweep));
      writeLastRun(
        join(DOCS, 'performance.md'),
        [
          `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}, on this machine.`,
          '',
          '```text',
          ...printed.map((line) => line.trim()).filter(Boolean),
          '```',
          ...(sweep.length > 0 ? ['', '![Throughput and p99 against connections](performance-sweep.svg)'] : []),
        ].join('\n'),
      );
      console.log('docs/performance.md (last run) and docs/performance-sweep.svg written');
    }
  } finally {
    await pool.end();
    await deleteExchange(AMQP_URL, exchange);
    await deleteExchange(AMQP_URL, `${exchange}.production`);
    await identity.stop();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
