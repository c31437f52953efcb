import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { OutboxMessage, OutboxSource } from '@calls/messaging';
import { affectedRows } from './sql/affected-rows';
import { Dialect, SqlBuilder } from './sql/sql-builder';

type Row = {
  position: number;
  id: string;
  aggregate_id: string;
  type: string;
  payload: string;
  occurred_at: string;
  traceparent: string | null;
  tracestate: string | null;
};

const ROW_COLUMNS = 'position, id, aggregate_id, type, payload, occurred_at, traceparent, tracestate';

const toMessage = (row: Row): OutboxMessage => ({
  id: row.id,
  callId: row.aggregate_id,
  type: row.type as OutboxMessage['type'],
  occurredAt: new Date(row.occurred_at),
  data: JSON.parse(row.payload) as OutboxMessage['data'],
  trace: {
    ...(row.traceparent ? { traceparent: row.traceparent } : {}),
    ...(row.tracestate ? { tracestate: row.tracestate } : {}),
  },
});

/**
 * The outbox as the relay reads it.
 *
 * PostgreSQL (several replicas): a relay claims whole calls with transaction
 * advisory locks, so two relays never publish the same call at once (no
 * duplicates in the normal case, order per call kept), then reads their rows
 * in a second statement, whose snapshot sees what the previous holder marked
 * published. The locks end with the transaction: a relay that dies mid-batch
 * releases its calls and its rows stay unpublished.
 *
 * SQLite (the embedded default, one process, one relay): the batch is read,
 * published, then marked, without holding a write transaction meanwhile.
 */
@Injectable()
export class OutboxTypeormSource implements OutboxSource {
  private readonly dialect: Dialect;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.dialect = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }

  async publishNext(limit: number, publish: (messages: readonly OutboxMessage[]) => Promise<void>): Promise<number> {
    if (this.dialect === 'sqlite') {
      const rows = await this.oldestUnpublished(this.dataSource.manager, limit);
      if (rows.length === 0) return 0;
      await publish(rows.map(toMessage));
      await this.markPublished(this.dataSource.manager, rows);
      return rows.length;
    }
    return this.dataSource.transaction(async (manager) => {
      const q = new SqlBuilder(this.dialect);
      const claimed: { aggregate_id: string }[] = await manager.query(
        `SELECT aggregate_id FROM (
           SELECT aggregate_id, MIN(position) AS first FROM outbox WHERE published_at IS NULL
           GROUP BY aggregate_id ORDER BY first LIMIT ${q.param(limit)}
         ) candidates
         WHERE pg_try_advisory_xact_lock(hashtextextended('outbox:' || aggregate_id, 0))`,
        q.params,
      );
      if (claimed.length === 0) return 0;
      const r = new SqlBuilder(this.dialect);
      const rows: Row[] = await manager.query(
        `SELECT ${ROW_COLUMNS} FROM outbox
         WHERE published_at IS NULL AND aggregate_id = ANY(${r.param(claimed.map((c) => c.aggregate_id))})
         ORDER BY position LIMIT ${r.param(limit)}`,
        r.params,
      );
      if (rows.length === 0) return 0;
      await publish(rows.map(toMessage));
      await this.markPublished(manager, rows);
      return rows.length;
    });
  }

  async prunePublished(before: Date): Promise<number> {
    const q = new SqlBuilder(this.dialect);
    return affectedRows(
      this.dataSource,
      `DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < ${q.param(before.toISOString())}`,
      q.params,
    );
  }

  private oldestUnpublished(manager: EntityManager, limit: number): Promise<Row[]> {
    const q = new SqlBuilder(this.dialect);
    return manager.query(
      `SELECT ${ROW_COLUMNS} FROM outbox
       WHERE published_at IS NULL ORDER BY position LIMIT ${q.param(limit)}`,
      q.params,
    );
  }

  private async markPublished(manager: EntityManager, rows: Row[]): Promise<void> {
    const q = new SqlBuilder(this.dialect);
    const now = q.param(new Date().toISOString());
    await manager.query(
      `UPDATE outbox SET published_at = ${now} WHERE position IN (${rows.map((row) => q.param(row.position)).join(', ')})`,
      q.params,
    );
  }
}
