import { randomBytes, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Client, Pool } from 'pg';

const ADMIN_URL = process.env.BENCH_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database for this benchmark run alone, migrated as the Kubernetes Job does it, dropped at the end. */
export async function createBenchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `calls_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  execFileSync(process.execPath, [resolve(__dirname, '../../libs/persistence/src/migrate.cli.js')], {
    env: { ...process.env, DATABASE_URL: url.toString() },
    stdio: 'ignore',
  });
  return {
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Where calls are seeded: PostgreSQL through a pool, or the embedded SQLite file through better-sqlite3. */
export interface SeedTarget {
  /** Runs one statement; its parameters are $1, $2 ... in order, each used once. */
  run(sql: string, values: unknown[]): Promise<void>;
}

export const postgresTarget = (pool: Pool): SeedTarget => ({
  run: async (sql, values) => void (await pool.query(sql, values)),
});

/** SQLite takes `?` for each parameter in order (the seeder uses each once); it stores times and JSON as text. */
export function sqliteTarget(file: string): SeedTarget & { close(): void } {
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  return {
    run: async (sql, values) => void db.prepare(sql.replace(/\$\d+/g, '?')).run(...values),
    close: () => db.close(),
  };
}

/**
 * Established calls, each with one prompt playing and `queued - 1` waiting
 * (3 in all by default), written straight into the service's tables (the
 * migrations ran already).
 */
export async function seedCalls(
  target: SeedTarget,
  owner: { tenantId: string; appId: string },
  count: number,
  queued = 3,
  callbackUri = 'https://bot.example.test/cb',
): Promise<string[]> {
  const ids: string[] = [];
  const now = new Date().toISOString();
  // Far enough ahead that no call ends on its own while the bench runs.
  const keepAliveDeadline = new Date(Date.now() + 24 * 3_600_000).toISOString();
  const prompts = JSON.stringify({ prompts: [{ uri: 'https://cdn.example.test/hold.wav' }] });
  // Calls per INSERT, so one statement stays under PostgreSQL's 65,535 parameters (and SQLite's 32,766).
  const perBatch = Math.max(1, Math.floor(1500 / queued));
  for (let offset = 0; offset < count; offset += perBatch) {
    const batch = Array.from({ length: Math.min(perBatch, count - offset) }, () => randomUUID());
    ids.push(...batch);
    const callValues: unknown[] = [];
    const callRows = batch.map((id) => {
      callValues.push(id, owner.tenantId, owner.appId, callbackUri, randomUUID(), queued, now, now, keepAliveDeadline);
      const p = callValues.length - 9;
      return `($${p + 1}, $${p + 2}, $${p + 3}, 'established', $${p + 4}, 'outgoing', '["audio"]', '{}', NULL, '[]', NULL, $${p + 5}, $${p + 6}, 1, $${p + 7}, $${p + 8}, $${p + 9})`;
    });
    await target.run(
      `INSERT INTO calls (id, tenant_id, app_id, state, callback_uri, direction, requested_modalities, media_config, source, targets, subject, my_participant_id, operation_sequence, version, created_at, updated_at, keepalive_deadline) VALUES ${callRows.join(', ')}`,
      callValues,
    );
    const opValues: unknown[] = [];
    const opRows = batch.flatMap((callId) =>
      Array.from({ length: queued }, (_, i) => i + 1).map((sequence) => {
        opValues.push(randomUUID(), callId, sequence, sequence === 1 ? 'running' : 'notStarted', prompts, now);
        const p = opValues.length - 6;
        return `($${p + 1}, $${p + 2}, 'playPrompt', $${p + 3}, $${p + 4}, NULL, $${p + 5}, NULL, NULL, NULL, NULL, NULL, NULL, NULL, $${p + 6}, NULL, NULL)`;
      }),
    );
    await target.run(
      `INSERT INTO media_operations (id, call_id, kind, sequence, status, client_context, parameters, result_code, result_subcode, result_message, completion_reason, recording_location, recording_access_token, cancelled_operations, created_at, started_at, ended_at) VALUES ${opRows.join(', ')}`,
      opValues,
    );
  }
  return ids;
}

/**
 * Before each measured run: what earlier runs left in the outbox is taken as
 * published (a relay would publish it meanwhile; it is not the next
 * contender's work), and the database is vacuumed and analyzed, standing in
 * for autovacuum, which this machine's PostgreSQL runs with off.
 *
 * The rows stay, as a replica's outbox keeps a day of published events
 * (OUTBOX_RETENTION_HOURS). Emptied, the table was analyzed at zero rows while
 * the service ran: the next statements it prepared on one connection were
 * planned as scans of the whole outbox, and with no autovacuum to analyze it
 * again those plans stayed while the table grew back to thousands of rows
 * (seen in the queue-depth figure: 1,400 sequential scans, 4.6 ms each at
 * 14,000 rows, against an index lookup of 0.05 ms).
 */
export async function settleOutbox(pool: Pool): Promise<void> {
  await pool.query('UPDATE outbox SET published_at = now() WHERE published_at IS NULL');
  await pool.query('VACUUM ANALYZE');
}
