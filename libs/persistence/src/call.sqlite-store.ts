import type { DataSource, QueryRunner } from 'typeorm';
import { ConcurrencyConflictError } from '@calls/domain';
import type { Call, CallOwner, CallProps } from '@calls/domain';
import { ReceiptRecordedError } from '@calls/application';
import {
  callRow,
  MUTABLE_CALL_COLUMNS,
  MUTABLE_OPERATION_COLUMNS,
  operationRow,
  OUTBOX_INSERT_COLUMNS,
  toCall,
} from './call.rows';
import type { OutboxInsert } from './call.rows';
import type { CallStore } from './call.store';
import { receiptUpsert } from './receipt.sql';
import { SqlBuilder } from './schema/sql-builder';
import { rowsFor } from './schema/tables';
import type { ReceiptRow } from './schema/tables';

type Raw = Record<string, unknown>;
const ROWS = rowsFor('sqlite');

/**
 * The command path on SQLite (the embedded default: one process, no
 * network, so round trips cost little): the load is two statements, the
 * save a transaction of at most four. Its outbox rows are never held: the
 * process's relay publishes them, woken by the commit.
 */
export class CallSqliteStore implements CallStore {
  constructor(private readonly dataSource: DataSource) {}

  async load(callId: string, owner?: CallOwner): Promise<Call | null> {
    const q = new SqlBuilder('sqlite');
    const byId = `id = ${q.param(callId)}`; // before the owner's: the placeholders are positional
    const mine = owner ? ` AND tenant_id = ${q.param(owner.tenantId)} AND app_id = ${q.param(owner.appId)}` : '';
    const calls: Raw[] = await this.dataSource.query(`SELECT * FROM calls WHERE ${byId}${mine}`, q.params);
    if (calls.length === 0) return null;
    const active: Raw[] = await this.dataSource.query(
      `SELECT * FROM media_operations WHERE call_id = ? AND status IN ('notStarted', 'running') ORDER BY sequence`,
      [calls[0].id],
    );
    return toCall(ROWS.calls.read(calls[0]), active.map(ROWS.operations.read));
  }

  async write(
    call: Call,
    props: Readonly<CallProps>,
    outbox: readonly OutboxInsert[],
    receipt: ReceiptRow | undefined,
  ): Promise<boolean> {
    const operations = call.changedOperations().map((op) => ROWS.operations.values(operationRow(op.snapshot())));
    const changed = call.hasChanges();
    await this.dataSource.transaction(async (manager) => {
      const runner = manager.queryRunner!;
      // First, so a concurrent run of the same key waits on its row and then gives up before touching the call.
      if (receipt) await insertReceipt(runner, receipt);
      if (!changed) return;
      if (props.version === 0) {
        const q = new SqlBuilder('sqlite');
        const row = q.row(ROWS.calls.values(callRow(props, 1)));
        await runner.query(`INSERT INTO calls (${ROWS.calls.columns.join(', ')}) VALUES ${row}`, q.params);
      } else {
        await updateCall(runner, props);
      }
      if (operations.length > 0) {
        const q = new SqlBuilder('sqlite');
        const updates = MUTABLE_OPERATION_COLUMNS.map((column) => `${column} = excluded.${column}`).join(', ');
        await runner.query(
          `INSERT INTO media_operations (${ROWS.operations.columns.join(', ')}) VALUES ${q.rows(operations)}
           ON CONFLICT (id) DO UPDATE SET ${updates}`,
          q.params,
        );
      }
      if (outbox.length > 0) {
        const q = new SqlBuilder('sqlite');
        const rows = q.rows(outbox.map((row) => ROWS.outbox.values(row, OUTBOX_INSERT_COLUMNS)));
        await runner.query(`INSERT INTO outbox (${OUTBOX_INSERT_COLUMNS.join(', ')}) VALUES ${rows}`, q.params);
      }
    });
    if (changed) call.markPersisted();
    return false;
  }
}

/** A new key, or one whose receipt expired; a live receipt of the key means another run committed first. */
async function insertReceipt(runner: QueryRunner, receipt: ReceiptRow): Promise<void> {
  const q = new SqlBuilder('sqlite');
  const result = await runner.query(receiptUpsert(q, receipt), q.params, true);
  if (result.affected !== 1) throw new ReceiptRecordedError(receipt.idempotency_key);
}

/** Only what a call can change after creation; the version check refuses a lost update. */
async function updateCall(runner: QueryRunner, props: Readonly<CallProps>): Promise<void> {
  const q = new SqlBuilder('sqlite');
  const values = ROWS.calls.values(callRow(props, props.version + 1), MUTABLE_CALL_COLUMNS);
  const assignments = MUTABLE_CALL_COLUMNS.map((column, i) => `${column} = ${q.param(values[i])}`).join(', ');
  const result = await runner.query(
    `UPDATE calls SET ${assignments} WHERE id = ${q.param(props.id)} AND version = ${q.param(props.version)}`,
    q.params,
    true,
  );
  // Throwing rolls back, so the operations and outbox rows of a stale decision never land.
  if (result.affected !== 1) throw new ConcurrencyConflictError(props.id);
}
