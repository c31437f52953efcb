import type { DataSource } from 'typeorm';
import type { CallOwner, MediaOperationProps, OperationStatus } from '@calls/domain';
import type { StoredReceipt } from '@calls/application';
import { toOperationProps } from './call.rows';
import { SqlDialect } from './schema/dialect';
import { tablesFor } from './schema/tables';

/**
 * What the call repository reads and changes outside a command's load and
 * save: an operation for GET, a page of operations, statuses, the expiry
 * sweep, the media plane's durations, receipts. Cold paths, on TypeORM's
 * query builder, the same on both dialects.
 */
export class CallReadSide {
  private readonly dialect: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = SqlDialect.of(dataSource);
  }

  private get tables() {
    return tablesFor(this.dialect.kind);
  }

  private time(value: Date): unknown {
    return this.dialect.codecs.time.encode(value);
  }

  /** Whether the owner has this call: the operations' reads answer "no call" apart from "no operation". */
  private async owns(owner: CallOwner, callId: string): Promise<boolean> {
    const found = await this.dataSource
      .getRepository(this.tables.calls)
      .createQueryBuilder('c')
      .select('c.id')
      .where('c.id = :callId AND c.tenant_id = :tenant AND c.app_id = :app', {
        callId,
        tenant: owner.tenantId,
        app: owner.appId,
      })
      .getOne();
    return found !== null;
  }

  async findOperation(owner: CallOwner, callId: string, operationId: string): Promise<MediaOperationProps | null> {
    if (!(await this.owns(owner, callId))) return null;
    const row = await this.dataSource
      .getRepository(this.tables.operations)
      .createQueryBuilder('op')
      .where('op.id = :operationId AND op.call_id = :callId', { operationId, callId })
      .getOne();
    return row ? toOperationProps(row) : null;
  }

  async listOperations(
    owner: CallOwner,
    callId: string,
    page: { afterSequence: number; limit: number },
  ): Promise<MediaOperationProps[] | null> {
    if (!(await this.owns(owner, callId))) return null;
    const rows = await this.dataSource
      .getRepository(this.tables.operations)
      .createQueryBuilder('op')
      .where('op.call_id = :callId AND op.sequence > :after', { callId, after: page.afterSequence })
      .orderBy('op.sequence')
      .limit(page.limit)
      .getMany();
    return rows.map(toOperationProps);
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
      .where("call.state <> 'terminated' AND call.keepalive_deadline <= :now", { now: this.time(now) })
      .orderBy('call.keepalive_deadline')
      .limit(limit)
      .getMany();
    return rows.map((row) => row.id);
  }

  async pruneEnded(endedBefore: Date, limit: number): Promise<number> {
    // A terminated call never changes again (every command refuses it), so its updated_at is its end.
    const ended = await this.dataSource
      .getRepository(this.tables.calls)
      .createQueryBuilder('call')
      .select('call.id')
      .where("call.state = 'terminated' AND call.updated_at <= :before", { before: this.time(endedBefore) })
      .orderBy('call.updated_at')
      .limit(limit)
      .getMany();
    if (ended.length === 0) return 0;
    const ids = ended.map((row) => row.id);
    // One transaction: the operations first (their foreign key), then the calls, never half of a call.
    return this.dataSource.transaction(async (manager) => {
      await manager
        .getRepository(this.tables.operations)
        .createQueryBuilder()
        .delete()
        .where('call_id IN (:...ids)', { ids })
        .execute();
      const result = await manager
        .getRepository(this.tables.calls)
        .createQueryBuilder()
        .delete()
        .where("id IN (:...ids) AND state = 'terminated'", { ids })
        .execute();
      return result.affected ?? ids.length;
    });
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

  findReceipt(owner: CallOwner, key: string, now: Date): Promise<StoredReceipt | null> {
    return this.dataSource
      .getRepository(this.tables.receipts)
      .createQueryBuilder('r')
      .select(['r.fingerprint', 'r.result'])
      .where('r.tenant_id = :tenant AND r.app_id = :app AND r.idempotency_key = :key AND r.expires_at > :now', {
        tenant: owner.tenantId,
        app: owner.appId,
        key,
        now: this.time(now),
      })
      .getOne();
  }

  async pruneExpiredReceipts(now: Date, limit: number): Promise<number> {
    // A bounded batch (the oldest first, by the expiry index), so one round never holds a long delete.
    const receipts = this.dataSource.getRepository(this.tables.receipts);
    const keys = await receipts
      .createQueryBuilder('r')
      .select(['r.tenant_id', 'r.app_id', 'r.idempotency_key'])
      .where('r.expires_at <= :now', { now: this.time(now) })
      .orderBy('r.expires_at')
      .limit(limit)
      .getMany();
    if (keys.length === 0) return 0;
    const result = await receipts.delete(
      keys.map(({ tenant_id, app_id, idempotency_key }) => ({ tenant_id, app_id, idempotency_key })),
    );
    return result.affected ?? keys.length;
  }
}
