import type { DataSource, EntityManager } from 'typeorm';
import { ConcurrencyConflictError } from '@calls/domain';
import type { Call, CallOwner, CallProps } from '@calls/domain';
import { ReceiptRecordedError } from '@calls/application';
import type { OutboxHold } from '@calls/messaging';
import { CallLoadsBatcher } from './call-loads.batcher';
import { LOAD_CALLS_STATEMENT, planSave, saveStatement } from './call.postgres-statements';
import { toCall } from './call.rows';
import type { OutboxInsert } from './call.rows';
import type { CallStore } from './call.store';
import { queryPrepared } from './prepared-statement';
import { rowsFor } from './schema/tables';
import type { ReceiptRow } from './schema/tables';

type Raw = Record<string, unknown>;
/** An id as the service mints them, in either case: no other text can name a call (the column is a uuid). */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ROWS = rowsFor('postgres');

/**
 * The command path on PostgreSQL: two round trips whatever the number of
 * operations a command touches. The load is one prepared statement shared by
 * the loads of one turn of the event loop (call-loads.batcher.ts); the save
 * is one prepared statement of data-modifying CTEs (call.postgres-statements.ts).
 * Hand-written rather than TypeORM's query builder and entity hydration,
 * which cost more than the round trip itself on this path
 * (docs/performance.md); TypeORM still owns the connections, the
 * transactions and the migrations.
 */
export class CallPostgresStore implements CallStore {
  private readonly loads: CallLoadsBatcher;

  constructor(
    private readonly dataSource: DataSource,
    private readonly hold: OutboxHold | undefined,
  ) {
    this.loads = new CallLoadsBatcher((ids) =>
      queryPrepared<{ id: string; loaded: string }>(this.dataSource.manager, LOAD_CALLS_STATEMENT, [ids]),
    );
  }

  async load(callId: string, owner?: CallOwner): Promise<Call | null> {
    if (!CANONICAL_UUID.test(callId)) return null;
    const text = await this.loads.load(callId.toLowerCase());
    if (text === null) return null;
    const [call, active] = JSON.parse(text) as [Raw, Raw[]];
    // Checked here, not in the statement: one statement serves every owner's loads of the turn.
    if (owner && (call.tenant_id !== owner.tenantId || call.app_id !== owner.appId)) return null;
    return toCall(ROWS.calls.read(call), active.map(ROWS.operations.read));
  }

  async write(
    call: Call,
    props: Readonly<CallProps>,
    outbox: readonly OutboxInsert[],
    receipt: ReceiptRow | undefined,
  ): Promise<boolean> {
    const { sql, params } = saveStatement(planSave(call, props, outbox, receipt, this.hold));
    const run = async (manager: EntityManager) => {
      const [result] = await queryPrepared<{ saved: number; receipted: number; held: boolean }>(manager, sql, params);
      if (result.receipted !== 1) throw new ReceiptRecordedError(receipt!.idempotency_key);
      // With a receipt this throw also rolls its row back: a receipt exists only with its call's changes.
      if (result.saved !== 1) throw new ConcurrencyConflictError(props.id);
      return result.held;
    };
    // A keyed command's receipt and its call's version are checked in the one statement, but either can
    // fail after the other wrote, so that statement runs in a transaction; an unkeyed command needs none.
    const held = await (receipt ? this.dataSource.transaction(run) : run(this.dataSource.manager));
    if (call.hasChanges()) call.markPersisted();
    return held;
  }
}
