/**
 * npm run bench, second part: the service far past what it can serve.
 * The same cancel as the main bench, first unloaded (one connection), then
 * at the saturating load, then at 4x its connections. Prints, per phase,
 * the p99 of accepted requests (2xx), how many were refused and how fast the
 * refusals came back, and timeouts. Goals (issue 10): accepted p99 within 3x
 * of unloaded, every refusal a 503 in under 50 ms, no timeouts.
 */
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';
import { DevTokenIssuer } from '@calls/auth';
import { createBenchDatabase, postgresTarget, seedCalls } from './bench-database';
import { serviceNodeFlags, startProcess, stop } from './bench-process';

const SATURATING = Number(process.env.BENCH_CONNECTIONS ?? 50);
const OVERLOAD_FACTOR = 4;
const SECONDS = Number(process.env.BENCH_OVERLOAD_SECONDS ?? 15);
const owner = { tenantId: 'bench-tenant', appId: 'bench-app' };

interface Phase {
  readonly accepted: number[];
  readonly refused: number[];
  readonly other: Map<number, number>;
  readonly timeouts: number;
  readonly errors: number;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Cancels on the given calls for `seconds` over `connections`, keeping every answer's status and latency. */
function phase(url: string, token: string, callIds: string[], connections: number, seconds: number): Promise<Phase> {
  const result: Phase = { accepted: [], refused: [], other: new Map(), timeouts: 0, errors: 0 };
  let next = 0;
  return new Promise((resolvePromise, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: seconds,
        timeout: 10,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => ({
              ...request,
              path: `/communications/calls/${callIds[next++ % callIds.length]}/cancelMediaProcessing`,
              body: '{}',
            }),
          },
        ],
        setupClient: (client) => {
          client.on('response', (status: number, _bytes: number, latencyMs: number) => {
            if (status >= 200 && status < 300) result.accepted.push(latencyMs);
            else if (status === 503) result.refused.push(latencyMs);
            else result.other.set(status, (result.other.get(status) ?? 0) + 1);
          });
        },
      },
      (error, summary) => {
        if (error) return reject(error);
        resolvePromise({ ...result, timeouts: summary.timeouts, errors: summary.errors - summary.timeouts });
      },
    );
    instance.on('error', reject);
  });
}

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'calls-overload-'));
  const pool = new Pool({ connectionString: database.url, max: 4 });
  // Production defaults for shedding; only throttling is lifted, since one bot drives all the load.
  const server = await startProcess(
    resolve(__dirname, '../../apps/calls-service/src/main.js'),
    {
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      SIMULATED_PROMPT_MS: String(3_600_000),
      THROTTLE_LIMIT: String(1e9),
      OUTBOX_RELAY: 'off',
      LOG_LEVEL: 'warn',
    },
    serviceNodeFlags(),
  );
  try {
    const token = DevTokenIssuer.forDataDir(dataDir).issue({ ...owner, roles: ['Calls.Initiate.All'] });
    console.log('seeding calls for the overload scenario ...');
    const calls = await seedCalls(postgresTarget(pool), owner, 20_000);
    await pool.query('VACUUM ANALYZE');
    await phase(server.url, token, calls, SATURATING, 3); // warm-up
    const phases: [string, number, number][] = [
      ['unloaded', 1, 5],
      ['saturating', SATURATING, SECONDS],
      [`overload (${OVERLOAD_FACTOR}x)`, SATURATING * OVERLOAD_FACTOR, SECONDS],
    ];
    const results = new Map<string, Phase>();
    for (const [name, connections, seconds] of phases) {
      results.set(name, await phase(server.url, token, calls, connections, seconds));
    }

    const unloadedP99 = percentile(results.get('unloaded')!.accepted, 99);
    const shed = ['SHED_EVENT_LOOP_DELAY_MS', 'SHED_DATABASE_WAIT_MS', 'SHED_MAX_IN_FLIGHT']
      .filter((name) => process.env[name])
      .map((name) => `${name}=${process.env[name]}`);
    console.log(
      `\noverload: cancelMediaProcessing, shedding ${shed.length ? shed.join(' ') : 'at its defaults'}, ${SECONDS} s per loaded phase`,
    );
    console.log(
      `${'phase'.padEnd(16)}${['conns', 'accepted', 'acc p99 ms', 'vs unloaded', 'refused', 'ref p99 ms', 'ref max ms', 'other', 'timeouts'].map((h) => h.padStart(12)).join('')}`,
    );
    for (const [name, connections] of phases) {
      const r = results.get(name)!;
      const accP99 = percentile(r.accepted, 99);
      const other = [...r.other].map(([status, count]) => `${status}x${count}`).join(' ') || '0';
      const cells = [
        String(connections),
        String(r.accepted.length),
        accP99.toFixed(1),
        `${(accP99 / unloadedP99).toFixed(2)}x`,
        String(r.refused.length),
        r.refused.length ? percentile(r.refused, 99).toFixed(1) : '-',
        r.refused.length ? Math.max(...r.refused).toFixed(1) : '-',
        other,
        String(r.timeouts + r.errors),
      ];
      console.log(`${name.padEnd(16)}${cells.map((cell) => cell.padStart(12)).join('')}`);
    }
    const overload = results.get(`overload (${OVERLOAD_FACTOR}x)`)!;
    const accRatio = percentile(overload.accepted, 99) / unloadedP99;
    const refusalP99 = overload.refused.length ? percentile(overload.refused, 99) : 0;
    console.log(
      `goals under overload: accepted p99 <= 3x unloaded: ${accRatio <= 3 ? 'met' : 'NOT met'} (${accRatio.toFixed(2)}x); ` +
        (overload.refused.length === 0
          ? 'refusals: none (nothing was shed); '
          : `refusals 503 in < 50 ms: ${refusalP99 < 50 ? 'met' : 'NOT met'} (p99 ${refusalP99.toFixed(1)} ms); `) +
        `no timeouts: ${overload.timeouts + overload.errors === 0 ? 'met' : 'NOT met'}`,
    );
  } finally {
    await stop(server.child);
    await pool.end();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
