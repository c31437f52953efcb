import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DevTokenIssuer, Roles } from '@calls/auth';
import { AppProcess, buildApps, freePort } from '../support/app-process';
import { AMQP_URL, ExchangeRecorder, privateExchange } from '../support/rabbitmq';
import { createPostgresDatabase, TestDatabase } from '../support/test-databases';
import { CREATE_CALL_BODY, OWNER, PROMPT } from '../support/test-app';
import { until } from '../support/waits';

interface Answer {
  readonly replica: number;
  readonly action: string;
  readonly callId?: string;
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * Two replicas of the compiled service on one PostgreSQL and RabbitMQ, a
 * storm of creates, prompts, recordings and cancels from many clients, and
 * one replica killed with SIGKILL in the middle of it. What every client was
 * told must be what is stored, every decision whole, every committed event
 * published (at least once, one payload per id), with no operator.
 */
describe('a replica killed mid-write (processes, PostgreSQL, RabbitMQ)', () => {
  let database: TestDatabase;
  let dataDir: string;
  let replicas: { process: AppProcess; url: string }[];
  let tap: ExchangeRecorder;
  let db: Client;
  const exchange = privateExchange('crash');

  beforeAll(async () => {
    await buildApps();
    database = await createPostgresDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'calls-crash-'));
    tap = new ExchangeRecorder(exchange, 'calls.v1.#');
    await tap.start();
    replicas = [];
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const process = new AppProcess('calls-service', {
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir, // one dev issuer for both, as one identity provider
        DATABASE_URL: database.settings.databaseUrl!,
        AMQP_URL,
        AMQP_EXCHANGE: exchange,
        OUTBOX_POLL_MS: '100',
        SIMULATED_PROMPT_MS: '150',
        THROTTLE_LIMIT: '1000000',
        LOG_LEVEL: 'warn',
      });
      await process.start(`http://127.0.0.1:${port}/health/ready`);
      replicas.push({ process, url: `http://127.0.0.1:${port}` });
    }
    db = new Client({ connectionString: database.settings.databaseUrl });
    await db.connect();
  }, 180_000);

  afterAll(async () => {
    for (const replica of replicas ?? []) await replica.process.stop();
    await db?.end();
    await tap?.stop();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every answered write, whole decisions, and every committed event published once per payload', async () => {
    const token = DevTokenIssuer.forDataDir(dataDir).issue({
      ...OWNER,
      roles: [Roles.CallsInitiateAll, Roles.CallsAccessMediaAll],
    });
    const answers: Answer[] = [];
    let victimKilled = false;
    let lost = 0;
    const call = async (replica: number, action: string, path: string, body: object, callId?: string) => {
      // A killed replica refuses connections: its clients move to the survivor, as a load balancer would send them.
      const target = victimKilled && replica === 1 ? 0 : replica;
      try {
        const res = await fetch(`${replicas[target].url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        const answer = (await res.json()) as Record<string, unknown>;
        answers.push({ replica: target, action, callId, status: res.status, body: answer });
      } catch {
        // The connection died with the replica: the client learnt nothing, so nothing is owed to it.
        lost += 1;
      }
    };

    const client = async (c: number) => {
      const replica = c % 2;
      let callId: string | undefined;
      for (let i = 0; i < 30; i++) {
        if (!callId || i % 10 === 0) {
          await call(replica, 'create', '/communications/calls', CREATE_CALL_BODY);
          const created = answers.at(-1);
          if (created?.action === 'create' && created.status === 201) callId = String(created.body.id);
          continue;
        }
        const calls = `/communications/calls/${callId}`;
        if (i % 5 === 3) await call(replica, 'cancel', `${calls}/cancelMediaProcessing`, {}, callId);
        else if (i % 5 === 4) await call(replica, 'record', `${calls}/recordResponse`, { prompts: [PROMPT] }, callId);
        else await call(replica, 'play', `${calls}/playPrompt`, { prompts: [PROMPT] }, callId);
      }
    };

    const storm = Promise.all(Array.from({ length: 12 }, (_, c) => client(c)));
    await until(() => answers.length >= 120);
    await replicas[1].process.kill('SIGKILL');
    victimKilled = true;
    const answeredBeforeKill = answers.length;
    await storm;

    // Both replicas wrote before the kill, the survivor went on after it (requests cut mid-way: `lost`).
    expect(answers.slice(0, answeredBeforeKill).filter((a) => a.replica === 1).length).toBeGreaterThan(20);
    expect(answers.length + lost).toBe(12 * 30);
    expect(answers.length - answeredBeforeKill).toBeGreaterThan(100);

    const ok = answers.filter((a) => a.status >= 200 && a.status < 300);
    expect(ok.length).toBeGreaterThan(200);
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);

    // 1. Every answer a client got as 2xx is in the stored state.
    const ops = new Map(
      (
        await db.query('SELECT id, call_id, kind, status, result_subcode, cancelled_operations FROM media_operations')
      ).rows.map((row) => [row.id as string, row]),
    );
    const callIds = new Set((await db.query('SELECT id FROM calls')).rows.map((row) => row.id as string));
    for (const answer of ok) {
      if (answer.action === 'create') {
        expect({ answer: answer.body.id, stored: callIds.has(String(answer.body.id)) }).toEqual({
          answer: answer.body.id,
          stored: true,
        });
        continue;
      }
      const stored = ops.get(String(answer.body.id));
      expect({ answer: answer.body.id, callId: stored?.call_id }).toEqual({
        answer: answer.body.id,
        callId: answer.callId,
      });
      if (answer.action === 'cancel') {
        for (const ref of answer.body.cancelledOperations as { id: string }[]) {
          expect({ cancelled: ref.id, ...ops.get(ref.id) }).toMatchObject({ status: 'failed', result_subcode: 8508 });
        }
      }
    }

    // 2. No call holds a half-applied decision: its operations, its counter and its events agree.
    const { rows: calls } = await db.query('SELECT id, operation_sequence, version FROM calls');
    for (const stored of calls) {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n, coalesce(max(sequence), 0)::int AS top,
                count(*) FILTER (WHERE status = 'running')::int AS running
           FROM media_operations WHERE call_id = $1`,
        [stored.id],
      );
      expect({ call: stored.id, ...rows[0] }).toEqual({
        call: stored.id,
        n: stored.operation_sequence,
        top: stored.operation_sequence,
        running: expect.any(Number),
      });
      expect(rows[0].running).toBeLessThanOrEqual(1);
    }
    const { rows: orphans } = await db.query(
      `SELECT op.id FROM media_operations op
        WHERE op.kind IN ('playPrompt', 'recordResponse')
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.type = 'calls.v1.mediaOperation.queued'
                            AND o.payload->>'operationId' = op.id::text)`,
    );
    expect(orphans).toEqual([]);

    // 3. The survivor's relay publishes every committed event, with no operator.
    await until(async () => {
      const { rows } = await db.query('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL');
      return rows[0].n === 0;
    }, 60_000);
    const { rows: outbox } = await db.query('SELECT id, payload FROM outbox');
    await until(() => new Set(tap.bodies<{ id: string }>().map((event) => event.id)).size >= outbox.length, 30_000);
    const published = new Map<string, string[]>();
    for (const event of tap.bodies<{ id: string; data: unknown }>()) {
      published.set(event.id, [...(published.get(event.id) ?? []), JSON.stringify(event.data)]);
    }
    for (const row of outbox) {
      const payloads = published.get(row.id as string) ?? [];
      expect({ event: row.id, published: payloads.length > 0 }).toEqual({ event: row.id, published: true });
      // At least once: a redelivery of an id is allowed, with the very same payload.
      expect({ event: row.id, distinct: new Set(payloads).size }).toEqual({ event: row.id, distinct: 1 });
      expect(JSON.parse(payloads[0])).toEqual(row.payload);
    }
  }, 180_000);
});
