import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Pool, PoolClient } from 'pg';

const CANCELLED = { code: 400, subcode: 8508, message: 'Action failed, the operation was cancelled.' };

/**
 * The floor the service is measured against, run as its own process like the
 * service: the same statements a cancel sends through the service (load the
 * call and its active operations; in one transaction the versioned call
 * update, one upsert of the ended operations plus the cancel operation, one
 * outbox insert), on bare node:http and pg, with no framework, validation or
 * authentication. Environment: DATABASE_URL, PORT, BENCH_TENANT, BENCH_APP.
 *
 * BARE_FLOOR makes it a what-if, not a correct server, for the bench's queue
 * depth with BENCH_QUEUE_FLOOR=1 (docs/performance.md, "Queued operations"):
 * - `no-writes`: the ended operations' rows are not written (they stay
 *   queued) and all the events go in one outbox row;
 * - `deferred`: the 200 follows a transaction with only the call, the cancel
 *   operation and its event; the queued operations are ended, with their
 *   events, in a second one after it.
 */
const FLOOR = process.env.BARE_FLOOR as 'no-writes' | 'deferred' | undefined;

function main(): void {
  const pool = new Pool({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
  });
  const owner = { tenantId: process.env.BENCH_TENANT ?? '', appId: process.env.BENCH_APP ?? '' };
  const server = createServer((req, res) => {
    if (req.url === '/health/live') {
      res.end('ok');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const callId = /^\/communications\/calls\/([^/]+)\/cancelMediaProcessing$/.exec(req.url ?? '')?.[1];
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { clientContext?: string };
      cancel(pool, owner, callId!, body.clientContext ?? null).then(
        (answer) => {
          res.writeHead(answer ? 200 : 404, { 'content-type': 'application/json' });
          res.end(JSON.stringify(answer ?? { error: { code: 'itemNotFound' } }));
        },
        (error: Error) => {
          res.writeHead(500);
          res.end(error.message);
        },
      );
    });
  });
  server.listen(Number(process.env.PORT), '127.0.0.1');
  process.once('SIGTERM', () => server.close(() => void pool.end()));
}

async function cancel(
  pool: Pool,
  owner: { tenantId: string; appId: string },
  callId: string,
  clientContext: string | null,
): Promise<Record<string, unknown> | null> {
  const call = await pool.query('SELECT * FROM calls WHERE id = $1 AND tenant_id = $2 AND app_id = $3', [
    callId,
    owner.tenantId,
    owner.appId,
  ]);
  if (call.rowCount === 0) return null;
  const active = FLOOR === 'deferred' ? [] : await activeOperations(pool, callId);
  const now = new Date().toISOString();
  const { version, operation_sequence: sequence } = call.rows[0] as { version: number; operation_sequence: number };
  const cancelId = randomUUID();
  const context = { callId, owner, now };
  await inTransaction(pool, (client) =>
    write(client, context, {
      cancel: { id: cancelId, sequence, version, clientContext },
      ended: FLOOR === 'no-writes' ? [] : active,
      events: active,
      grouped: FLOOR === 'no-writes',
    }),
  );
  if (FLOOR === 'deferred') {
    setImmediate(() => {
      void activeOperations(pool, callId)
        .then((later) => inTransaction(pool, (client) => write(client, context, { ended: later, events: later })))
        .catch((error: Error) => console.error(`deferred end of ${callId}: ${error.message}`));
    });
  }
  return {
    '@odata.type': '#microsoft.graph.cancelMediaProcessingOperation',
    id: cancelId,
    status: 'completed',
    clientContext,
    resultInfo: null,
  };
}

type OperationRow = Record<string, unknown> & { id: string; sequence: number; status: string; parameters: unknown };

async function activeOperations(pool: Pool, callId: string): Promise<OperationRow[]> {
  const active = await pool.query(
    "SELECT * FROM media_operations WHERE call_id = $1 AND status IN ('notStarted', 'running') ORDER BY sequence",
    [callId],
  );
  return active.rows as OperationRow[];
}

async function inTransaction(pool: Pool, work: (client: PoolClient) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await work(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** The writes of a cancel: the call and the cancel operation (when given), the ended operations, the events. */
async function write(
  client: PoolClient,
  { callId, owner, now }: { callId: string; owner: { tenantId: string; appId: string }; now: string },
  plan: {
    cancel?: { id: string; sequence: number; version: number; clientContext: string | null };
    ended: readonly OperationRow[];
    /** The operations whose events are written (their `ended` event, and the cancel's list). */
    events: readonly OperationRow[];
    /** All the events in one outbox row (a what-if). */
    grouped?: boolean;
  },
): Promise<void> {
  const { cancel } = plan;
  if (cancel) {
    await client.query(
      'UPDATE calls SET operation_sequence = $1, version = $2, updated_at = $3 WHERE id = $4 AND version = $5',
      [cancel.sequence + 1, cancel.version + 1, now, callId, cancel.version],
    );
  }
  const values: unknown[] = [];
  const rows = plan.ended.map((op) => {
    values.push(
      op.id,
      callId,
      'playPrompt',
      op.sequence,
      'failed',
      // jsonb comes back parsed; it goes back as JSON text, as the service binds it.
      JSON.stringify(op.parameters),
      CANCELLED.code,
      CANCELLED.subcode,
      CANCELLED.message,
      now,
      now,
    );
    const p = values.length - 11;
    return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, NULL, $${p + 6}, $${p + 7}, $${p + 8}, $${p + 9}, NULL, NULL, NULL, NULL, $${p + 10}, NULL, $${p + 11})`;
  });
  if (cancel) {
    values.push(cancel.id, callId, 'cancelMediaProcessing', cancel.sequence + 1, 'completed', '{}', now, now);
    const p = values.length - 8;
    rows.push(
      `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, NULL, $${p + 6}, NULL, NULL, NULL, NULL, NULL, NULL, NULL, $${p + 7}, NULL, $${p + 8})`,
    );
  }
  if (rows.length > 0) {
    await client.query(
      `INSERT INTO media_operations VALUES ${rows.join(', ')} ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, result_code = EXCLUDED.result_code, result_subcode = EXCLUDED.result_subcode, result_message = EXCLUDED.result_message, completion_reason = EXCLUDED.completion_reason, recording_location = EXCLUDED.recording_location, recording_access_token = EXCLUDED.recording_access_token, cancelled_operations = EXCLUDED.cancelled_operations, started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at`,
      values,
    );
  }
  // Payloads of the same size and shape as the service's events: the ended operations, then the cancel.
  const events: [string, unknown][] = plan.events.map((op) => [
    'MediaOperationEnded',
    { callId, owner, occurredAt: now, operation: { ...op, status: 'failed', resultInfo: CANCELLED, endedAt: now } },
  ]);
  if (cancel) {
    events.push([
      'MediaProcessingCancelled',
      {
        callId,
        owner,
        occurredAt: now,
        cancelOperationId: cancel.id,
        clientContext: cancel.clientContext,
        cancelled: plan.events.map((op) => ({
          id: op.id,
          kind: 'playPrompt',
          clientContext: null,
          previousStatus: op.status,
        })),
      },
    ]);
  }
  const written: [string, unknown][] = plan.grouped
    ? [['Batch', events.map(([type, payload]) => ({ id: randomUUID(), type, payload }))]]
    : events;
  if (written.length === 0) return;
  const outboxValues: unknown[] = [];
  const outboxRows = written.map(([type, payload]) => {
    outboxValues.push(randomUUID(), callId, type, JSON.stringify(payload), now);
    const q = outboxValues.length - 5;
    return `($${q + 1}, $${q + 2}, $${q + 3}, $${q + 4}, $${q + 5}, NULL)`;
  });
  await client.query(
    `INSERT INTO outbox (id, aggregate_id, type, payload, occurred_at, published_at) VALUES ${outboxRows.join(', ')}`,
    outboxValues,
  );
}

main();
