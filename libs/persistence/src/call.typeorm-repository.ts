import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { Call, ConcurrencyConflictError } from '@calls/domain';
import { traceContextOf } from '@calls/runtime';
import type { CallOwner, CallProps, CallRepository, MediaOperationProps, OperationStatus } from '@calls/domain';
import { ReceiptRecordedError } from '@calls/application';
import { OUTBOX_HANDOVER } from '@calls/messaging';
import type { OutboxHandover } from '@calls/messaging';
import type { CommandReceipt, CommandReceipts, StoredReceipt } from '@calls/application';
import { callRow, operationRow, outboxRow, toCall, toOperationProps } from './call.rows';
import { SqlDialect } from './schema/dialect';
import { CallRow, ROWS, tablesFor } from './schema/tables';
import type { OperationRow, ReceiptRow } from './schema/tables';
import { LOAD_CALLS_STATEMENT, loadCallStatement, saveStatement } from './call.postgres-statements';
import { CallLoadsBatcher } from './call-loads.batcher';
import { toMessage } from './outbox.typeorm-source';
import { queryPrepared } from './prepared-statement';
import { receiptUpsert } from './receipt.sql';
import { SqlBuilder } from './schema/sql-builder';

type Raw = Record<string, unknown>;
/** A row of loadCallStatement: the call and its active operations. */
type Loaded = { loaded: [Raw, Raw[]] };
/** An id as the service mints them, in either case; anything else takes the unbatched load. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What may change on an operation after it was created: what a save writes of a stored operation. */
const MUTABLE_OPERATION_COLUMNS = [
  'status',
  'result_code',
  'result_subcode',
  'result_message',
  'completion_reason',
  'recording_location',
  'recording_access_token',
  'cancelled_operations',
  'started_at',
  'ended_at',
  'played_duration_ms',
  'not_cancelled_operations',
] as const satisfies readonly (keyof OperationRow)[];

/** What a call can change after creation; the version and updated_at are set with them. */
const MUTABLE_CALL_COLUMNS = [
  'state',
  'operation_sequence',
  'tone_subscribed',
  'tone_sequence',
  'keepalive_deadline',
  'result_info',
  'version',
  'updated_at',
] as const satisfies readonly (keyof CallRow)[];

const receiptRow = (receipt: CommandReceipt): ReceiptRow => ({
  tenant_id: receipt.owner.tenantId,
  app_id: receipt.owner.appId,
  idempotency_key: receipt.key,
  fingerprint: receipt.fingerprint,
  result: receipt.result,
  created_at: receipt.createdAt,
  expires_at: receipt.expiresAt,
});

/** An event as a save writes it to the outbox (the columns below). */
type OutboxInsert = ReturnType<typeof outboxRow>;

/** What a save writes of an outbox row; the database numbers it, the relay marks it, the save's statement decides `relay_after`. */
const OUTBOX_INSERT_COLUMNS = ROWS.outbox.columns.filter(
  (column) => column !== 'position' && column !== 'published_at' && column !== 'relay_after',
);

/**
 * The CallRepository port on a TypeORM data source. On PostgreSQL a command
 * is two statements whatever the number of operations it touches: one load
 * (the call with its open operations) and one save (the call row guarded by
 * its version, the changed operations, the outbox rows and any command
 * receipt, as data-modifying CTEs of a single statement), both named
 * prepared statements (prepared-statement.ts): planning the save's CTEs cost
 * PostgreSQL more than running them (its CPU per cancel halved, measured in
 * `npm run bench` against the build before). On SQLite (one
 * process, no network) the save is a transaction of at most four statements.
 *
 * The statements are written by hand rather than with TypeORM's query
 * builder and entity hydration: on this hot path those cost 150-360 us per
 * statement over the bare driver (measured with PostgreSQL on this machine),
 * more than the database round trip itself. TypeORM still owns the
 * connections, the transactions and the migrations.
 */
@Injectable()
export class CallTypeormRepository implements CallRepository, CommandReceipts {
  private readonly dialect: SqlDialect;
  private native?: Promise<boolean>;
  private readonly loads = new CallLoadsBatcher((ids) =>
    queryPrepared<{ id: string; loaded: string }>(this.dataSource.manager, LOAD_CALLS_STATEMENT, [ids]),
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    // The outbox's publishing side (messaging), when this process runs one: it gets each save's events after the commit.
    @Optional() @Inject(OUTBOX_HANDOVER) private readonly handover?: OutboxHandover,
  ) {
    this.dialect = SqlDialect.of(dataSource);
  }

  findOwned(owner: CallOwner, callId: string): Promise<Call | null> {
    return this.loadById(callId, owner);
  }

  findById(callId: string): Promise<Call | null> {
    return this.loadById(callId);
  }

  async findOperation(
    owner: CallOwner,
    callId: string,
    operationId: string,
  ): Promise<Readonly<MediaOperationProps> | null> {
    const q = this.sql();
    const rows: Raw[] = await this.dataSource.query(
      `SELECT op.* FROM media_operations op JOIN calls c ON c.id = op.call_id
       WHERE op.id = ${q.param(operationId)} AND op.call_id = ${q.param(callId)}
         AND c.tenant_id = ${q.param(owner.tenantId)} AND c.app_id = ${q.param(owner.appId)}`,
      q.params,
    );
    return rows.length > 0 ? toOperationProps(ROWS.operations.read(rows[0])) : null;
  }

  async listOperations(
    owner: CallOwner,
    callId: string,
    page: { afterSequence: number; limit: number },
  ): Promise<Readonly<MediaOperationProps>[] | null> {
    const q = this.sql();
    // One statement: the LEFT JOIN keeps a row for an owned call with no operation yet, so "no call" is told apart.
    const rows: Raw[] = await this.dataSource.query(
      `SELECT op.* FROM calls c LEFT JOIN media_operations op
         ON op.call_id = c.id AND op.sequence > ${q.param(page.afterSequence)}
       WHERE c.id = ${q.param(callId)} AND c.tenant_id = ${q.param(owner.tenantId)} AND c.app_id = ${q.param(owner.appId)}
       ORDER BY op.sequence LIMIT ${q.param(page.limit)}`,
      q.params,
    );
    if (rows.length === 0) return null;
    return rows.filter((row) => row.id !== null).map((row) => toOperationProps(ROWS.operations.read(row)));
  }

  async operationStatuses(callId: string, operationIds: readonly string[]): Promise<Map<string, OperationStatus>> {
    if (operationIds.length === 0) return new Map();
    const rows = await this.dataSource
      .getRepository(this.tables.operations)
      .createQueryBuilder('op')
      .select(['op.id', 'op.status'])
      .where('op.call_id = :callId AND op.id IN (:...operationIds)', { callId, operationIds })
      .getMany();
    return new Map(rows.map((row) => [row.id, row.status as OperationStatus]));
  }

  async findPastKeepAlive(now: Date, limit: number): Promise<string[]> {
    const rows = await this.dataSource
      .getRepository(this.tables.calls)
      .createQueryBuilder('call')
      .select('call.id')
      .where("call.state <> 'terminated' AND call.keepalive_deadline <= :now", {
        now: this.dialect.codecs.time.encode(now),
      })
      .orderBy('call.keepalive_deadline')
      .limit(limit)
      .getMany();
    return rows.map((row) => row.id);
  }

  async recordPlayedDuration(callId: string, operationId: string, playedDurationMs: number): Promise<boolean> {
    // Only an operation that already ended has a duration to refine.
    const result = await this.dataSource
      .getRepository(this.tables.operations)
      .createQueryBuilder()
      .update()
      .set({ played_duration_ms: Math.round(playedDurationMs) })
      .where('id = :operationId AND call_id = :callId AND played_duration_ms IS NOT NULL', { operationId, callId })
      .execute();
    return result.affected === 1;
  }

  async find(owner: CallOwner, key: string, now: Date): Promise<StoredReceipt | null> {
    return this.dataSource
      .getRepository(this.tables.receipts)
      .createQueryBuilder('r')
      .select(['r.fingerprint', 'r.result'])
      .where('r.tenant_id = :tenant AND r.app_id = :app AND r.idempotency_key = :key AND r.expires_at > :now', {
        tenant: owner.tenantId,
        app: owner.appId,
        key,
        now: this.dialect.codecs.time.encode(now),
      })
      .getOne();
  }

  save(call: Call): Promise<void> {
    return this.write(call);
  }

  saveWithReceipt(call: Call, receipt: CommandReceipt): Promise<void> {
    return this.write(call, receipt);
  }

  async pruneExpired(now: Date, limit: number): Promise<number> {
    // A bounded batch (the oldest first, by the expiry index), so one round never holds a long delete.
    const receipts = this.dataSource.getRepository(this.tables.receipts);
    const expired = receipts
      .createQueryBuilder('r')
      .select(['r.tenant_id', 'r.app_id', 'r.idempotency_key'])
      .where('r.expires_at <= :now', { now: this.dialect.codecs.time.encode(now) })
      .orderBy('r.expires_at')
      .limit(limit);
    const keys = await expired.getMany();
    if (keys.length === 0) return 0;
    const result = await receipts.delete(
      keys.map(({ tenant_id, app_id, idempotency_key }) => ({ tenant_id, app_id, idempotency_key })),
    );
    return result.affected ?? keys.length;
  }

  private async write(call: Call, receipt?: CommandReceipt): Promise<void> {
    // One copy of the call's state for the whole save (a snapshot copies it).
    const props = call.snapshot();
    const trace = traceContextOf();
    const events = call.getUncommittedEvents().map((event) => outboxRow(event, props.description.callbackUri, trace));
    const direct = (await this.nativeSchema())
      ? await this.writeInOneStatement(call, props, events, receipt)
      : await this.writeInTransaction(call, props, events, receipt);
    // After the commit: the events leave now, from memory (direct), or the relay is woken for them.
    if (events.length > 0) this.handover?.committed(events.map(toMessage), direct);
  }

  /** The transaction of separate statements (SQLite, or PostgreSQL before the conversion): its events go to the relay. */
  private async writeInTransaction(
    call: Call,
    props: Readonly<CallProps>,
    events: readonly OutboxInsert[],
    receipt?: CommandReceipt,
  ): Promise<false> {
    const operations = call.changedOperations().map((op) => ROWS.operations.values(operationRow(op.snapshot())));
    const outbox = events.map((row) => ROWS.outbox.values(row, OUTBOX_INSERT_COLUMNS));
    const changed = call.hasChanges();
    await this.dataSource.transaction(async (manager) => {
      const runner = manager.queryRunner!;
      // First, so a concurrent run of the same key waits on its row and then gives up before touching the call.
      if (receipt) await this.insertReceipt(runner, receipt);
      if (!changed) return;
      if (props.version === 0) {
        const q = this.sql();
        await runner.query(
          `INSERT INTO calls (${ROWS.calls.columns.join(', ')}) VALUES ${q.row(ROWS.calls.values(callRow(props, 1)))}`,
          q.params,
        );
      } else {
        await this.updateCall(runner, props);
      }
      if (operations.length > 0) {
        const q = this.sql();
        const updates = MUTABLE_OPERATION_COLUMNS.map((column) => `${column} = excluded.${column}`).join(', ');
        await runner.query(
          `INSERT INTO media_operations (${ROWS.operations.columns.join(', ')}) VALUES ${q.rows(operations)}
           ON CONFLICT (id) DO UPDATE SET ${updates}`,
          q.params,
        );
      }
      if (outbox.length > 0) {
        const q = this.sql();
        await runner.query(
          `INSERT INTO outbox (${OUTBOX_INSERT_COLUMNS.join(', ')}) VALUES ${q.rows(outbox)}`,
          q.params,
        );
      }
    });
    if (changed) call.markPersisted();
    return false;
  }

  /**
   * Whether this is PostgreSQL with the native types (migration
   * 1764270000000). The one-statement save casts to those types; on a
   * database not yet converted (the expand step of a rollout) saves take the
   * transaction of separate statements instead, which binds to either. Asked
   * once per process: a replica started before the conversion keeps the
   * slower path (and unprepared statements) until it restarts, and stays
   * correct. A replica that detected the native schema must be restarted
   * after the conversion is undone: its prepared statements and casts
   * expect the native types.
   */
  private nativeSchema(): Promise<boolean> {
    if (this.dialect.kind !== 'postgres') return Promise.resolve(false);
    return (this.native ??= this.dataSource
      .query(
        `SELECT data_type FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = 'calls' AND column_name = 'created_at'`,
      )
      .then(
        (rows: { data_type: string }[]) => rows[0]?.data_type === 'timestamp with time zone',
        (error: unknown) => {
          this.native = undefined; // a failed look is asked again on the next save
          throw error;
        },
      ));
  }

  /**
   * PostgreSQL: everything in one statement (call.postgres-statements.ts), the second of a command's two
   * round trips; answers whether this replica publishes the events itself (`direct`).
   */
  private async writeInOneStatement(
    call: Call,
    props: Readonly<CallProps>,
    outbox: readonly OutboxInsert[],
    receipt?: CommandReceipt,
  ): Promise<boolean> {
    const changed = call.hasChanges();
    const operations = call.changedOperations().map((op) => operationRow(op.snapshot()));
    const { sql, params } = saveStatement({
      call: changed
        ? { row: callRow(props, props.version + 1), isNew: props.version === 0, expectedVersion: props.version }
        : undefined,
      mutableCallColumns: MUTABLE_CALL_COLUMNS,
      operations: operations.filter((row) => call.isNewOperation(row.id)),
      operationChanges: operations.filter((row) => !call.isNewOperation(row.id)),
      mutableOperationColumns: MUTABLE_OPERATION_COLUMNS,
      outbox,
      outboxColumns: OUTBOX_INSERT_COLUMNS,
      receipt: receipt && receiptRow(receipt),
      ...(this.handover ? { directPublish: { graceMs: this.handover.directGraceMs } } : {}),
    });
    const run = async (manager: EntityManager) => {
      const [result] = await queryPrepared<{ saved: number; receipted: number; direct: boolean }>(manager, sql, params);
      if (result.receipted !== 1) throw new ReceiptRecordedError(receipt!.key);
      // With a receipt this throw also rolls its row back: a receipt exists only with its call's changes.
      if (result.saved !== 1) throw new ConcurrencyConflictError(props.id);
      return result.direct;
    };
    // A keyed command's receipt and its call's version are checked in the one statement, but either can
    // fail after the other wrote, so that statement runs in a transaction; an unkeyed command needs none.
    const direct = await (receipt ? this.dataSource.transaction(run) : run(this.dataSource.manager));
    if (changed) call.markPersisted();
    return direct;
  }

  /** A new key, or one whose receipt expired; a live receipt of the key means another run committed first. */
  private async insertReceipt(runner: QueryRunner, receipt: CommandReceipt): Promise<void> {
    const q = this.sql();
    const result = await runner.query(receiptUpsert(q, receiptRow(receipt)), q.params, true);
    if (result.affected !== 1) throw new ReceiptRecordedError(receipt.key);
  }

  /** Only what a call can change after creation; the version check refuses a lost update. */
  private async updateCall(runner: QueryRunner, props: Readonly<CallProps>): Promise<void> {
    const q = this.sql();
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

  /** The call with its queued and running operations; with `owner`, only when it is that owner's. */
  private async loadById(callId: string, owner?: CallOwner): Promise<Call | null> {
    // On the native schema, with the loads of the same turn (call-loads.batcher.ts), prepared; the owner is
    // checked here, as the statement is shared.
    if (CANONICAL_UUID.test(callId) && (await this.nativeSchema())) {
      const text = await this.loads.load(callId.toLowerCase());
      if (text === null) return null;
      const [call, active] = JSON.parse(text) as [Raw, Raw[]];
      if (owner && (call.tenant_id !== owner.tenantId || call.app_id !== owner.appId)) return null;
      return toCall(ROWS.calls.read(call), active.map(ROWS.operations.read));
    }
    const q = this.sql();
    const byId = `c.id = ${q.param(callId)}`; // before the owner's: SQLite's placeholders are positional
    const mine = owner ? ` AND c.tenant_id = ${q.param(owner.tenantId)} AND c.app_id = ${q.param(owner.appId)}` : '';
    return this.load(q, `${byId}${mine}`);
  }

  /** The call matching `where` (on alias `c`) with its queued and running operations, alone. */
  private async load(q: SqlBuilder, where: string): Promise<Call | null> {
    if (this.dialect.kind === 'postgres') {
      // One round trip: the operations come along as a JSON array. Not prepared: this path serves a database
      // before the conversion (a prepared statement would keep text-typed parameters) and ids in another form.
      const rows: Loaded[] = await this.dataSource.query(loadCallStatement(where), q.params);
      if (rows.length === 0) return null;
      const [call, active] = rows[0].loaded;
      return toCall(ROWS.calls.read(call), active.map(ROWS.operations.read));
    }
    const calls: Raw[] = await this.dataSource.query(`SELECT * FROM calls c WHERE ${where}`, q.params);
    if (calls.length === 0) return null;
    const ops = this.sql();
    const active: Raw[] = await this.dataSource.query(
      `SELECT * FROM media_operations WHERE call_id = ${ops.param(calls[0].id)}
         AND status IN ('notStarted', 'running') ORDER BY sequence`,
      ops.params,
    );
    return toCall(ROWS.calls.read(calls[0]), active.map(ROWS.operations.read));
  }

  private sql(): SqlBuilder {
    return this.dialect.sql();
  }

  private get tables() {
    return tablesFor(this.dialect.kind);
  }
}
