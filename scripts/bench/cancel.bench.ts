/**
 * npm run bench: cancelMediaProcessing on PostgreSQL, the service against a
 * bare node:http + pg server doing the same writes (as the service sent them
 * before it folded a command into two statements), side by side in
 * one run. Each request cancels a different call that has 3 prompts queued.
 * Prints requests/s, p50 and p99 latency of both and their ratio.
 */
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';
import { DevTokenIssuer } from '@calls/auth';
import { productionEnv, startIdentityProvider } from './bench-identity';
import { SweepSeries, sweepChart, writeLastRun } from './bench-report';
import { deleteExchange } from './bench-broker';
import { createBenchDatabase, postgresTarget, seedCalls, settleOutbox, sqliteTarget } from './bench-database';
import { cancelToSilence } from './cancel-to-silence';
import { stageShares } from './cpu-profile';
import type { StageShare } from './cpu-profile';
import {
  cpuMsOf,
  peakRssMbOf,
  postgresCpuMs,
  postgresCpuSince,
  serviceNodeFlags,
  startProcess,
  stop,
} from './bench-process';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 8000);
/*
 * Requests each contender serves before it is measured: as many as the measured run. After 1,000 the
 * service was still compiling its hot code: with --trace-opt, TurboFan spent 3.1 s on V8's worker threads
 * during the 6,000 requests measured next (0.5 ms per request, a quarter of its CPU), against 0.3 s after
 * 8,000. The bare server, a few hundred lines, is warm much sooner; a replica serves for hours.
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 8000);
const owner = { tenantId: 'bench-tenant', appId: 'bench-app' };
/** Connection counts of the sweep (the chart in docs/performance.md); empty to skip it. */
const SWEEP = (process.env.BENCH_SWEEP ?? '10,25,50,100').split(',').filter(Boolean).map(Number);
const SWEEP_REQUESTS = Number(process.env.BENCH_SWEEP_REQUESTS ?? 2000);
/**
 * Rounds over all contenders, alternating, in reverse order every other round; each figure is the mean over
 * the rounds. Order matters: the same build and settings measured second in every round carried 4.5% more
 * requests than measured first (three rounds, November 30), so with an even count each contender takes each
 * place as often.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const PROFILE_REQUESTS = Number(process.env.BENCH_PROFILE_REQUESTS ?? 4000);
/** Operations queued on each call of the profiled run (3, as in the load; 20 to see where a deep queue's time goes). */
const PROFILE_QUEUED = Number(process.env.BENCH_PROFILE_QUEUED ?? 3);
/**
 * Cancels per second in the queue depth; back to back when unset, so each
 * cancel also meets the tail of the one before (its publishing and marks).
 * A rate of 100 leaves each cancel alone on the machine.
 */
const QUEUE_RATE = Number(process.env.BENCH_QUEUE_RATE) > 0 ? Number(process.env.BENCH_QUEUE_RATE) : undefined;
const SILENCE_SECONDS = Number(process.env.BENCH_SILENCE_SECONDS ?? 5);
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
  /** Requests per second in all; as fast as the answers come when absent. */
  rate?: number,
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
        ...(rate ? { overallRate: rate } : {}),
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
        // Which answers were not 2xx, so a refused run says why.
        if (result.non2xx > 0) console.log(`non-2xx answers by status: ${JSON.stringify(result.statusCodeStats)}`);
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

interface Contender {
  readonly name: string;
  readonly script: string;
  readonly env: Record<string, string>;
  readonly authenticated: boolean;
  /** Node's flags: the image's for the service, none for the bare server. */
  readonly nodeFlags: readonly string[];
  /** Another Node.js binary than the bench's own (BENCH_NODE). */
  readonly node?: string;
  /** The bearer token it takes; the dev issuer's by default. */
  readonly token?: string;
  /** Where its calls are seeded: the bench's PostgreSQL database, or its own SQLite file. */
  readonly sqliteFile?: string;
}

const BARE = 'bare node:http + pg';
const PRODUCTION = 'service, production config';
const EMBEDDED = 'service, embedded default';

/** Queue depth must not cost a cancel time: one at a time, calls with 1 and with 20 operations on the queue. */
async function queueDepth(
  contender: Contender,
  pool: Pool,
): Promise<{ ratio: number; oneQueuedMs: number; perOperationMs: number; perOperationRatio?: number }> {
  const server = await startProcess(contender.script, contender.env, contender.nodeFlags, contender.node);
  try {
    const headers: Record<string, string> = contender.authenticated
      ? { authorization: `Bearer ${contender.token}` }
      : {};
    const latency: Record<number, number> = {};
    // CPU per cancel (ms) of the server and of PostgreSQL, to tell whose work a deeper queue adds.
    const cpu: Record<number, { server: number; postgres: number }> = {};
    // Warm first, as before the throughput runs (see WARMUP); the first pair below warms the deep queue's paths.
    await run(server.url, await seedCalls(postgresTarget(pool), owner, WARMUP), headers);
    // As before each throughput run: one request at a time feels PostgreSQL's background work after a load.
    await settleOutbox(pool);
    for (const queued of [1, 20, 1, 20]) {
      const calls = await seedCalls(postgresTarget(pool), owner, 300, queued);
      const serverBefore = cpuMsOf(server.child.pid!);
      const postgresBefore = postgresCpuMs();
      const figures = await run(server.url, calls, headers, 1, QUEUE_RATE);
      if (figures.non2xx > 0) throw new Error(`queue depth ${queued}: ${figures.non2xx} non-2xx answers`);
      // Both figures from the second round of each, after the first warmed up.
      latency[queued] = figures.mean;
      cpu[queued] = {
        server: (cpuMsOf(server.child.pid!) - serverBefore) / calls.length,
        postgres: postgresCpuSince(postgresBefore) / calls.length,
      };
    }
    const ratio = latency[20] / Math.max(latency[1], 1e-9);
    // What each operation past the first adds, in microseconds.
    const perOperation = (value: (c: { server: number; postgres: number }) => number) =>
      (((value(cpu[20]) - value(cpu[1])) / 19) * 1000).toFixed(0);
    say(
      `cancel with 20 queued / with 1 queued (${contender.name}, one connection, ${QUEUE_RATE ? `${QUEUE_RATE} cancels/s` : 'back to back'}, mean): ` +
        `${latency[20].toFixed(2)} ms / ${latency[1].toFixed(2)} ms = ${ratio.toFixed(2)}x; ` +
        `each queued operation adds ${perOperation((c) => c.server)} us of server CPU and ` +
        `${perOperation((c) => c.postgres)} us of PostgreSQL's`,
    );
    return { ratio, oneQueuedMs: latency[1], perOperationMs: (latency[20] - latency[1]) / 19 };
  } finally {
    await stop(server.child);
  }
}

/** The mean of each figure over the rounds. */
function meanOf(rounds: Figures[]): Figures {
  const mean = (value: (f: Figures) => number) => rounds.reduce((sum, f) => sum + value(f), 0) / rounds.length;
  return {
    requestsPerSecond: mean((f) => f.requestsPerSecond),
    p50: mean((f) => f.p50),
    p99: mean((f) => f.p99),
    mean: mean((f) => f.mean),
    non2xx: rounds.reduce((sum, f) => sum + f.non2xx, 0),
    serverCpuMs: mean((f) => f.serverCpuMs),
    postgresCpuMs: mean((f) => f.postgresCpuMs),
    peakRssMb: Math.max(...rounds.map((f) => f.peakRssMb)),
  };
}

/** A loopback bot endpoint that accepts every notification, for the embedded default's in-process notifier. */
async function startCallbackSink(): Promise<{ url: string; stop(): Promise<void> }> {
  const sink = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(202).end());
  });
  await new Promise<void>((ready) => sink.listen(0, '127.0.0.1', ready));
  return {
    url: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/callback`,
    stop: () => new Promise<void>((done) => sink.close(() => done())),
  };
}

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'calls-bench-'));
  const embeddedDir = join(dataDir, 'embedded');
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
  const serviceFlags = serviceNodeFlags();
  const sink = await startCallbackSink();
  // As deployed: NODE_ENV=production, tokens verified against a JWKS, throttling in Redis at Graph's limit,
  // the relay publishing to RabbitMQ with confirms, request logs at info, metrics on.
  const production: Contender = {
    name: PRODUCTION,
    script: serviceScript,
    env: {
      ...productionEnv({ databaseUrl: database.url, dataDir, identity, amqpUrl: AMQP_URL }),
      SIMULATED_PROMPT_MS: String(3_600_000),
      AMQP_EXCHANGE: `${exchange}.production`,
      LOG_LEVEL: 'info',
    },
    authenticated: true,
    nodeFlags: serviceFlags,
    token: identity.token,
  };
  const all: Contender[] = [
    production,
    {
      name: 'calls-service, relay off',
      script: serviceScript,
      env: { ...serviceEnv, OUTBOX_RELAY: 'off' },
      authenticated: true,
      nodeFlags: serviceFlags,
    },
    {
      name: BARE,
      script: resolve(__dirname, 'bare-cancel.server.js'),
      env: { DATABASE_URL: database.url, BENCH_TENANT: owner.tenantId, BENCH_APP: owner.appId },
      authenticated: false,
      nodeFlags: [],
    },
    {
      name: 'calls-service, relay on',
      script: serviceScript,
      env: { ...serviceEnv, AMQP_URL, AMQP_EXCHANGE: exchange },
      authenticated: true,
      nodeFlags: serviceFlags,
    },
    // `npm ci && npm start` as it comes: SQLite, the relay and the notifier in process (notifying a loopback bot).
    {
      name: EMBEDDED,
      script: serviceScript,
      env: { DATA_DIR: embeddedDir, SIMULATED_PROMPT_MS: String(3_600_000) },
      authenticated: true,
      nodeFlags: serviceFlags,
      token: DevTokenIssuer.forDataDir(embeddedDir).issue({ ...owner, roles: ['Calls.Initiate.All'] }),
      sqliteFile: join(embeddedDir, 'calls.sqlite'),
    },
  ];
  // BENCH_BASELINE=<another build's apps/calls-service/src/main.js>: that build too, to compare two versions in one run.
  if (process.env.BENCH_BASELINE) {
    const relayOff = all.find((contender) => contender.name === 'calls-service, relay off')!;
    const script = resolve(process.env.BENCH_BASELINE);
    all.splice(2, 0, { ...relayOff, name: 'baseline build, relay off', script });
    all.splice(1, 0, { ...production, name: 'baseline build, production config', script });
  }
  // BENCH_VARIANT=NAME=value[,NAME=value]: the production configuration with those settings too, to weigh one in one run.
  if (process.env.BENCH_VARIANT) {
    // Split at the first '=' only: a value may hold one (a URL's query).
    const settings = Object.fromEntries(
      process.env.BENCH_VARIANT.split(',').map((pair) => [
        pair.slice(0, pair.indexOf('=')),
        pair.slice(pair.indexOf('=') + 1),
      ]),
    );
    all.splice(1, 0, {
      ...production,
      name: `production config + ${process.env.BENCH_VARIANT}`,
      env: { ...production.env, ...settings },
    });
  }
  // BENCH_NODE=<another Node.js binary>: the production configuration on it too, to compare two runtimes in one run.
  if (process.env.BENCH_NODE) {
    const node = resolve(process.env.BENCH_NODE);
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    all.splice(1, 0, { ...production, name: `production config on Node.js ${version}`, node });
  }
  // BENCH_ONLY=<part of a name>[,<another>] runs just the matching contenders (e.g. to profile one).
  const only = (process.env.BENCH_ONLY ?? '').split(',');
  const contenders = all.filter((contender) => only.some((part) => contender.name.includes(part)));
  const pool = new Pool({ connectionString: database.url, max: 4 });
  const rounds = new Map<string, Figures[]>(contenders.map((contender) => [contender.name, []]));
  const sweep: SweepSeries[] = [];
  try {
    const token = DevTokenIssuer.forDataDir(dataDir).issue({ ...owner, roles: ['Calls.Initiate.All'] });
    console.log(`${ROUNDS} rounds, each contender alone on the machine in turn ...`);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const contender of round % 2 === 1 ? contenders : [...contenders].reverse()) {
        const server = await startProcess(contender.script, contender.env, contender.nodeFlags, contender.node);
        // The embedded default's file exists once it has started (its migrations ran).
        const sqlite = contender.sqliteFile ? sqliteTarget(contender.sqliteFile) : null;
        const target = sqlite ?? postgresTarget(pool);
        const callbackUri = sqlite ? sink.url : undefined;
        try {
          const warm = await seedCalls(target, owner, WARMUP, 3, callbackUri);
          const calls = await seedCalls(target, owner, REQUESTS, 3, callbackUri);
          await settleOutbox(pool);
          const bearer = contender.token ?? token;
          const headers: Record<string, string> = contender.authenticated ? { authorization: `Bearer ${bearer}` } : {};
          await load(server, warm, headers);
          rounds.get(contender.name)!.push(await load(server, calls, headers));
          // The connection sweep, once (in the last round).
          const points: SweepSeries['points'][number][] = [];
          for (const connections of round === ROUNDS ? SWEEP : []) {
            const seeded = await seedCalls(target, owner, SWEEP_REQUESTS, 3, callbackUri);
            const result = await run(server.url, seeded, headers, connections);
            points.push({ connections, requestsPerSecond: result.requestsPerSecond, p99: result.p99 });
          }
          if (points.length > 0) sweep.push({ name: contender.name, points });
        } finally {
          sqlite?.close();
          await stop(server.child);
        }
      }
    }
    // Only contenders measured (BENCH_ROUNDS=0 measures none: the queue depth alone).
    const figures = new Map(
      [...rounds].filter(([, measured]) => measured.length > 0).map(([name, measured]) => [name, meanOf(measured)]),
    );

    const columns: [string, number, (f: Figures) => string][] = [
      ['req/s', 8, (f) => f.requestsPerSecond.toFixed(0)],
      ['p50 ms', 8, (f) => f.p50.toFixed(0)],
      ['p99 ms', 8, (f) => f.p99.toFixed(0)],
      ['non-2xx', 8, (f) => String(f.non2xx)],
      ['cpu ms/req', 11, (f) => f.serverCpuMs.toFixed(2)],
      ['pg cpu ms/req', 14, (f) => f.postgresCpuMs.toFixed(2)],
      ['peak rss MB', 12, (f) => f.peakRssMb.toFixed(0)],
    ];
    const row = (name: string, cell: (column: (typeof columns)[number]) => string) =>
      `${name.padEnd(26)}${columns.map((column) => cell(column).padStart(column[1])).join('')}`;
    if (figures.size > 0) {
      say(
        `\ncancelMediaProcessing, ${CONNECTIONS} connections, ${REQUESTS} requests each, 3 queued prompts per call, ` +
          `mean of ${ROUNDS} rounds (contenders alternating)`,
      );
      say(row('server', ([title]) => title));
    }
    for (const contender of contenders) {
      const measured = figures.get(contender.name);
      if (measured) say(row(contender.name, ([, , value]) => value(measured)));
    }
    const bare = figures.get(BARE);
    // Every other contender against the bare server, in the table's order.
    for (const { name } of contenders) {
      const service = figures.get(name);
      if (name === BARE || !service || !bare) continue;
      const ratio = (value: (f: Figures) => number) => (value(service) / Math.max(value(bare), 1e-9)).toFixed(2);
      say(
        `ratio (${name}) / bare: throughput ${ratio((f) => f.requestsPerSecond)}x, p50 ${ratio((f) => f.p50)}x, ` +
          `p99 ${ratio((f) => f.p99)}x, server cpu/req ${ratio((f) => f.serverCpuMs)}x, postgres cpu/req ${ratio((f) => f.postgresCpuMs)}x`,
      );
    }
    if (figures.size > 0)
      say(
        '(relay off: the same writes as the bare server, in two statements instead of five; relay on: also publishing every event to RabbitMQ; embedded default: SQLite, relay and notifier in process, for reference)',
      );
    const measured = figures.get(PRODUCTION);
    // With BENCH_ROUNDS=0 the queue depth alone, for the production configuration (and bare, when it runs).
    const depth = contenders.includes(production) ? await queueDepth(production, pool) : undefined;
    if (depth) {
      const oneQueuedMs = depth.oneQueuedMs;
      // The same for the bare server: how its statements grow with the queue, and one cancel's time against the service's.
      const bareContender = contenders.find((contender) => contender.name === BARE);
      if (bareContender) {
        const bareDepth = await queueDepth(bareContender, pool);
        say(
          `one cancel at a time, 1 queued (${PRODUCTION} / bare): ${(oneQueuedMs / Math.max(bareDepth.oneQueuedMs, 1e-9)).toFixed(2)}x`,
        );
        // The queue-depth target (docs/performance.md, "Queued operations"): what each operation adds, against bare.
        depth.perOperationRatio = depth.perOperationMs / Math.max(bareDepth.perOperationMs, 1e-9);
        say(
          `each queued operation adds (${PRODUCTION} / bare, from 1 to 20 queued): ${depth.perOperationMs.toFixed(3)} ms / ` +
            `${bareDepth.perOperationMs.toFixed(3)} ms = ${depth.perOperationRatio.toFixed(2)}x`,
        );
        // BENCH_QUEUE_FLOOR=1: the bare server as two what-ifs (see BARE_FLOOR in bare-cancel.server.ts).
        if (process.env.BENCH_QUEUE_FLOOR === '1') {
          for (const [floor, name] of [
            ['no-writes', 'no write per operation'],
            ['deferred', 'operations ended after the 200'],
          ])
            await queueDepth(
              { ...bareContender, name: `${BARE}, ${name}`, env: { ...bareContender.env, BARE_FLOOR: floor } },
              pool,
            );
        }
      }
    }
    if (measured && depth) {
      const stages = await profileStages(production, pool);
      say(
        `where the CPU goes (${PRODUCTION}, main thread's busy time by stage; ms/req = share x measured cpu ms/req):`,
      );
      for (const { stage, share } of stages.filter((s) => s.share >= 0.005))
        say(
          `  ${stage.padEnd(42)}${(share * 100).toFixed(1).padStart(6)} %${(share * measured.serverCpuMs).toFixed(3).padStart(9)} ms`,
        );
      await settleOutbox(pool);
      const silence = await cancelToSilence({
        serviceScript,
        env: production.env,
        amqpUrl: AMQP_URL,
        exchange: `${exchange}.silence`,
        token: identity.token,
        appId: owner.appId,
        pool,
        rate: Number(process.env.BENCH_SILENCE_RATE ?? Math.max(1, Math.round(measured.requestsPerSecond / 2))),
        seconds: SILENCE_SECONDS,
      });
      say(
        `cancel-to-silence (${PRODUCTION}, MEDIA_PLANE=broker + media simulator, ${silence.rate} cancels/s = half of peak, ` +
          `${silence.cancels} cancels, ${silence.missing} never stopped): p50 ${silence.silence.p50} ms, p99 ${silence.silence.p99} ms, ` +
          `max ${silence.silence.max} ms; of which 200 -> event at a subscriber: p50 ${silence.published.p50} ms, p99 ${silence.published.p99} ms; ` +
          `the cancels' own latency: p50 ${silence.latency.p50} ms, p99 ${silence.latency.p99} ms`,
      );
      if (bare) say(targets(measured, bare, depth.perOperationRatio, silence.silence.p99));
    }
    for (const series of sweep) {
      const points = series.points.map(
        (p) => `${p.connections}: ${p.requestsPerSecond.toFixed(0)} req/s, p99 ${p.p99} ms`,
      );
      say(`sweep (${series.name}, ${SWEEP_REQUESTS} requests each) ${points.join('; ')}`);
    }
    // The embedded default is there for reference: on a slow machine it sheds load (503, its event loop runs
    // late under SQLite's synchronous writes), which is its designed answer; said, and not held against the run.
    const shed = figures.get(EMBEDDED)?.non2xx ?? 0;
    if (shed > 0) say(`(${EMBEDDED}: ${shed} requests refused, so its figures flatter it; it is not a target)`);
    const failing = contenders.filter(
      (contender) => contender.name !== EMBEDDED && (figures.get(contender.name)?.non2xx ?? 0) > 0,
    );
    if (failing.length > 0) {
      // Errors are cheaper than work: ratios over failed requests would flatter the service.
      console.log(`NOT COMPARABLE: non-2xx answers from ${failing.map((c) => c.name).join(', ')}`);
      process.exitCode = 1;
    }
    // A full run (every contender, no other build) rewrites the last-run section and the chart.
    if (
      failing.length === 0 &&
      !process.env.BENCH_ONLY &&
      !process.env.BENCH_BASELINE &&
      !process.env.BENCH_VARIANT &&
      !process.env.BENCH_NODE
    ) {
      if (sweep.length > 0) writeFileSync(join(DOCS, 'performance-sweep.svg'), sweepChart(sweep));
      writeLastRun(
        join(DOCS, 'performance.md'),
        [
          `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}, on this machine.`,
          '',
          '```text',
          ...printed.map((line) => line.trimEnd()).filter(Boolean),
          '```',
          ...(sweep.length > 0 ? ['', '![Throughput and p99 against connections](performance-sweep.svg)'] : []),
        ].join('\n'),
      );
      console.log('docs/performance.md (last run) and docs/performance-sweep.svg written');
    }
  } finally {
    await pool.end();
    for (const name of [exchange, `${exchange}.production`, `${exchange}.silence`])
      await deleteExchange(AMQP_URL, name);
    await identity.stop();
    await sink.stop();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The issue's targets for the production configuration against bare, each with whether this run met it. */
function targets(
  production: Figures,
  bare: Figures,
  perOperationRatio: number | undefined,
  silenceP99: number,
): string {
  const check = (label: string, value: number, met: boolean, unit = 'x') =>
    `${label} ${unit === 'x' ? value.toFixed(2) : value.toFixed(0)}${unit} ${met ? 'met' : 'NOT met'}`;
  const throughput = production.requestsPerSecond / bare.requestsPerSecond;
  const p99 = production.p99 / bare.p99;
  const cpu = production.serverCpuMs / bare.serverCpuMs;
  return `targets (production config / bare): ${[
    check('throughput >= 1.0x (floor 0.85x):', throughput, throughput >= 1),
    check('p99 <= 1.5x:', p99, p99 <= 1.5),
    check('server cpu/req <= 1.3x:', cpu, cpu <= 1.3),
    perOperationRatio === undefined
      ? 'each queued operation adds <= 1.3x what it adds on bare: not measured'
      : check('each queued operation adds <= 1.3x what it adds on bare:', perOperationRatio, perOperationRatio <= 1.3),
    check('cancel-to-silence p99 <= 50 ms:', silenceP99, silenceP99 <= 50, ' ms'),
  ].join('; ')}`;
}

/** A run of the production configuration under node --cpu-prof, its samples during the load summed by stage. */
async function profileStages(contender: Contender, pool: Pool): Promise<StageShare[]> {
  const directory = mkdtempSync(join(tmpdir(), 'calls-bench-profile-'));
  try {
    const server = await startProcess(contender.script, contender.env, [
      ...contender.nodeFlags,
      '--cpu-prof',
      `--cpu-prof-dir=${directory}`,
    ]);
    const headers = { authorization: `Bearer ${contender.token}` };
    let from = 0;
    let to = 0;
    try {
      await run(server.url, await seedCalls(postgresTarget(pool), owner, WARMUP), headers);
      const calls = await seedCalls(postgresTarget(pool), owner, PROFILE_REQUESTS, PROFILE_QUEUED);
      from = Number(process.hrtime.bigint() / 1000n);
      await run(server.url, calls, headers);
      to = Number(process.hrtime.bigint() / 1000n);
    } finally {
      await stop(server.child); // the profile is written as the process exits
    }
    const [file] = readdirSync(directory).filter((name) => name.endsWith('.cpuprofile'));
    // BENCH_PROFILE_KEEP=<path>: the profile stays there, to open in Chrome's DevTools or read by function.
    if (process.env.BENCH_PROFILE_KEEP) copyFileSync(join(directory, file), process.env.BENCH_PROFILE_KEEP);
    return stageShares(join(directory, file), from, to);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
