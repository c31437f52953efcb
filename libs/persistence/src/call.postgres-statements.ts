import type { Call, CallProps } from '@calls/domain';
import { heldUntil } from '@calls/messaging';
import type { OutboxHold } from '@calls/messaging';
import {
  callRow,
  MUTABLE_CALL_COLUMNS,
  MUTABLE_OPERATION_COLUMNS,
  operationRow,
  OUTBOX_INSERT_COLUMNS,
} from './call.rows';
import type { OutboxInsert } from './call.rows';
import { receiptUpsert } from './receipt.sql';
import { recordsetCasts, recordsetRows } from './recordset.sql';
import { SqlBuilder } from './schema/sql-builder';
import { rowsFor, tablesFor } from './schema/tables';
import type { CallRow, OperationRow, OutboxRow, ReceiptRow } from './schema/tables';

/*
 * The call's load and save on PostgreSQL as one statement each, so a command
 * costs two round trips: no BEGIN, no COMMIT, no statement per table. A single
 * statement is atomic on its own, and its data-modifying CTEs all commit or
 * none does. Measured in `npm run bench` (docs/performance.md).
 */

const PG = tablesFor('postgres');
const ROWS = rowsFor('postgres');
const CASTS = {
  calls: recordsetCasts(PG.calls),
  operations: recordsetCasts(PG.operations),
  outbox: recordsetCasts(PG.outbox),
};

const ACTIVE_AS_JSON = `json_build_array(c, COALESCE((SELECT json_agg(o ORDER BY o.sequence) FROM media_operations o
  WHERE o.call_id = c.id AND o.status IN ('notStarted', 'running')), '[]'::json))`;

/**
 * The call row and its queued and running operations in queue order, as one
 * JSON value, `[call, [operation, ...]]`: the driver parses one column with
 * one `JSON.parse`, where the call's 23 columns each took a parser of their
 * own, set up again for every result (docs/performance.md, "Two round trips
 * per command"). Times come as ISO-8601 text with an offset, which the row
 * codecs read.
 */
export function loadCallStatement(where: string): string {
  return `SELECT ${ACTIVE_AS_JSON} AS loaded FROM calls c WHERE ${where}`;
}

/**
 * The same for several calls at once (call-loads.batcher.ts), each as JSON
 * text with its id: every caller parses its own copy.
 */
export const LOAD_CALLS_STATEMENT = `SELECT c.id, ${ACTIVE_AS_JSON}::text AS loaded FROM calls c WHERE c.id = ANY($1::uuid[])`;

export interface SavePlan {
  /** The call as it is to be stored (its version already the next one); absent when only a receipt is new. */
  readonly call?: { readonly row: CallRow; readonly isNew: boolean; readonly expectedVersion: number };
  readonly mutableCallColumns: readonly (keyof CallRow & string)[];
  /** Operations created by the decision: inserted whole. */
  readonly operations: readonly OperationRow[];
  /** Stored operations the decision changed: only their mutable columns are sent. */
  readonly operationChanges: readonly OperationRow[];
  readonly mutableOperationColumns: readonly (keyof OperationRow & string)[];
  readonly outbox: readonly Omit<OutboxRow, 'position' | 'published_at' | 'relay_after'>[];
  readonly outboxColumns: readonly (keyof OutboxRow & string)[];
  readonly receipt?: ReceiptRow;
  /**
   * Hold the outbox rows for this process to publish, when the call has no
   * event still unpublished (messaging's outbox-publishing.ts states the rule).
   */
  readonly hold?: OutboxHold;
}

/** What a decision writes, from the call after it decided and the rows its events became. */
export function planSave(
  call: Call,
  props: Readonly<CallProps>,
  outbox: readonly OutboxInsert[],
  receipt: ReceiptRow | undefined,
  hold: OutboxHold | undefined,
): SavePlan {
  const operations = call.changedOperations().map((op) => operationRow(op.snapshot()));
  return {
    call: call.hasChanges()
      ? { row: callRow(props, props.version + 1), isNew: props.version === 0, expectedVersion: props.version }
      : undefined,
    mutableCallColumns: MUTABLE_CALL_COLUMNS,
    operations: operations.filter((row) => call.isNewOperation(row.id)),
    operationChanges: operations.filter((row) => !call.isNewOperation(row.id)),
    mutableOperationColumns: MUTABLE_OPERATION_COLUMNS,
    outbox,
    outboxColumns: OUTBOX_INSERT_COLUMNS,
    receipt,
    hold,
  };
}

/**
 * The save statement for a plan. Its text depends only on the plan's shape
 * (shapeOf), every value being a parameter, so the text first built for a
 * shape is returned whenever that shape comes again: the prepared
 * statement's name is looked up by its text, and a string V8 has seen
 * hashes at once, where a new one of a few kilobytes is flattened and hashed
 * on every save (docs/performance.md). call.postgres-statements.spec.ts
 * holds each shape's text and checks the cached text is the fresh one.
 */
export function saveStatement(plan: SavePlan): { sql: string; params: unknown[] } {
  const shape = shapeOf(plan);
  const built = buildSaveStatement(plan);
  const known = texts.get(shape);
  if (known === undefined) texts.set(shape, built.sql);
  return known === undefined ? built : { sql: known, params: built.params };
}

const texts = new Map<string, string>();

/**
 * One statement that writes everything a decision changed. Each write is
 * gated on the one before: the receipt (a new key, or an expired one), then
 * the call row under its version, then the operations and the outbox rows.
 * It answers `saved` (the call row was written) and `receipted` (the receipt
 * was), so the caller tells a version conflict from a key another run took;
 * when either is 0 nothing at all was written. `held` says the outbox rows
 * are held for this process to publish (see SavePlan.hold).
 */
export function buildSaveStatement(plan: SavePlan): { sql: string; params: unknown[] } {
  const q = new SqlBuilder('postgres');
  const ctes: string[] = [];
  if (plan.receipt) {
    ctes.push(`rc AS (${receiptUpsert(q, plan.receipt)} RETURNING 1)`);
  }
  const afterReceipt = plan.receipt ? ' AND EXISTS (SELECT 1 FROM rc)' : '';
  if (plan.call) {
    const { row, isNew, expectedVersion } = plan.call;
    if (isNew) {
      const rows = recordsetRows(q, CASTS.calls, [row], ROWS.calls.columns);
      ctes.push(`up AS (INSERT INTO calls (${ROWS.calls.columns.join(', ')})
        ${rows} WHERE true${afterReceipt} RETURNING 1)`);
    } else {
      const values = ROWS.calls.values(row, plan.mutableCallColumns);
      const assignments = plan.mutableCallColumns.map((column, i) => `${column} = ${q.param(values[i])}`);
      ctes.push(`up AS (UPDATE calls SET ${assignments.join(', ')}
        WHERE id = ${q.param(row.id)} AND version = ${q.param(expectedVersion)}${afterReceipt} RETURNING 1)`);
    }
    if (plan.operations.length > 0) {
      const columns = ROWS.operations.columns;
      const rows = recordsetRows(q, CASTS.operations, plan.operations, columns);
      ctes.push(`ops AS (INSERT INTO media_operations (${columns.join(', ')})
        ${rows} WHERE EXISTS (SELECT 1 FROM up) ORDER BY n)`);
    }
    if (plan.operationChanges.length > 0) {
      // An UPDATE of the mutable columns, not an upsert of whole rows: for a cancel of 20 queued prompts
      // the whole rows were 15 KB of the save's 31 KB of parameters, and each paid an attempted insert.
      // Only queued and running operations are loaded, so only those can have changed, and the version
      // guard keeps them so (every other write of an operation, recordPlayedDuration, touches ended ones).
      // Matching on them lets the (call_id, status) index find the rows, where a join on the ids alone
      // was planned as a scan of the whole table.
      const columns = ['id' as const, ...plan.mutableOperationColumns];
      const rows = recordsetRows(q, CASTS.operations, plan.operationChanges, columns);
      const updates = plan.mutableOperationColumns.map((column) => `${column} = v.${column}`);
      ctes.push(`opc AS (UPDATE media_operations o SET ${updates.join(', ')}
        FROM (${rows}) v
        WHERE o.call_id = ${q.param(plan.call.row.id)} AND o.status IN ('notStarted', 'running') AND o.id = v.id
          AND EXISTS (SELECT 1 FROM up))`);
    }
    if (plan.outbox.length > 0 && plan.hold) {
      // Read in the statement's snapshot, after the previous version's commit: any of its events still
      // unpublished keeps this save's events behind them, with the relay (order per call).
      ctes.push(`fp AS (SELECT NOT EXISTS (SELECT 1 FROM outbox
        WHERE aggregate_id = ${q.param(plan.call.row.id)} AND published_at IS NULL) AS held)`);
      const rows = recordsetRows<OutboxRow>(q, CASTS.outbox, plan.outbox, plan.outboxColumns, {
        select: heldUntil('fp.held', q.param(plan.hold.holdMs)),
        from: 'fp',
      });
      ctes.push(`ob AS (INSERT INTO outbox (${plan.outboxColumns.join(', ')}, relay_after)
        ${rows} WHERE EXISTS (SELECT 1 FROM up) ORDER BY n)`);
    } else if (plan.outbox.length > 0) {
      const rows = recordsetRows<OutboxRow>(q, CASTS.outbox, plan.outbox, plan.outboxColumns);
      ctes.push(`ob AS (INSERT INTO outbox (${plan.outboxColumns.join(', ')})
        ${rows} WHERE EXISTS (SELECT 1 FROM up) ORDER BY n)`);
    }
  }
  const saved = plan.call ? '(SELECT count(*) FROM up)::int' : '1';
  const receipted = plan.receipt ? '(SELECT count(*) FROM rc)::int' : '1';
  const held = ctes.some((cte) => cte.startsWith('fp AS')) ? 'COALESCE((SELECT held FROM fp), false)' : 'false';
  const sql = `WITH ${ctes.join(',\n')}\nSELECT ${saved} AS saved, ${receipted} AS receipted, ${held} AS held`;
  return { sql, params: q.params };
}

/** What decides a save statement's text; its values are parameters. */
export function shapeOf(plan: SavePlan): string {
  const call = plan.call ? (plan.call.isNew ? 'new' : 'update') : 'none';
  return [
    call,
    plan.receipt ? 'receipt' : '',
    plan.operations.length > 0 ? 'ops' : '',
    plan.operationChanges.length > 0 ? `changes:${plan.mutableOperationColumns.join()}` : '',
    plan.outbox.length > 0 ? `outbox:${plan.outboxColumns.join()}` : '',
    plan.hold ? 'hold' : '',
    plan.call && !plan.call.isNew ? plan.mutableCallColumns.join() : '',
  ].join('|');
}
