import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { RELAY_MAY_CLAIM } from '@calls/messaging';
import type { OutboxMessage, OutboxSource } from '@calls/messaging';
import { queryPrepared } from './prepared-statement';
import { SqlDialect } from './schema/dialect';
import { columnsOf, rowsFor, tablesFor } from './schema/tables';
import type { OutboxRow } from './schema/tables';

const ROW_COLUMNS = columnsOf(tablesFor('postgres').outbox).join(', ');

/** An outbox row as the publishers take it; a save builds the same from the rows it wrote. */
export const toMessage = (
  row: Pick<OutboxRow, 'id' | 'aggregate_id' | 'type' | 'occurred_at' | 'payload' | 'traceparent' | 'tracestate'>,
): OutboxMessage => ({
  id: row.id,
  callId: row.aggregate_id,
  type: row.type as OutboxMessage['type'],
  occurredAt: row.occurred_at,
  data: row.payload as OutboxMessage['data'],
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
 * releases its calls and its rows stay unpublished. It skips a call while
 * any of its rows is held for direct publishing (messaging's
 * outbox-publishing.ts), so order per call holds.
 *
 * While there is work, the relay keeps one connection between its rounds
 * instead of queueing for the pool behind the requests that fill it: under
 * load that wait was most of the time from a cancel's 200 to its event on
 * the broker (`npm run bench`, cancel-to-silence). A round that finds
 * nothing, or fails, gives the connection back.
 *
 * SQLite (the embedded default, one process, one relay): the batch is read,
 * published, then marked, without holding a write transaction meanwhile.
 */
@Injectable()
export class OutboxTypeormSource implements OutboxSource {
  private readonly dialect: SqlDialect;
  private held?: QueryRunner;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.dialect = SqlDialect.of(dataSource);
  }

  async publishNext(limit: number, publish: (messages: readonly OutboxMessage[]) => Promise<void>): Promise<number> {
    if (this.dialect.kind === 'sqlite') {
      const rows = await this.oldestUnpublished(this.dataSource.manager, limit);
      if (rows.length === 0) return 0;
      await publish(rows.map(toMessage));
      await this.markRowsPublished(this.dataSource.manager, rows);
      return rows.length;
    }
    return this.inRelayTransaction(async (manager) => {
      const q = this.dialect.sql();
      const claimed: { aggregate_id: string }[] = await manager.query(
        `SELECT aggregate_id FROM (
           SELECT aggregate_id, MIN(position) AS first FROM outbox WHERE published_at IS NULL
           GROUP BY aggregate_id
           -- Not a call with a row held for the process that wrote it (messaging's outbox-publishing.ts).
           HAVING bool_and(${RELAY_MAY_CLAIM})
           ORDER BY first LIMIT ${q.param(limit)}
         ) candidates
         WHERE pg_try_advisory_xact_lock(hashtextextended('outbox:' || aggregate_id, 0))`,
        q.params,
      );
      if (claimed.length === 0) return 0;
      const r = this.dialect.sql();
      const rows = await this.read(
        manager,
        `SELECT ${ROW_COLUMNS} FROM outbox
         WHERE published_at IS NULL AND aggregate_id = ANY(${r.param(claimed.map((c) => c.aggregate_id))})
         ORDER BY position LIMIT ${r.param(limit)}`,
        r.params,
      );
      if (rows.length === 0) return 0;
      await publish(rows.map(toMessage));
      await this.markRowsPublished(manager, rows);
      return rows.length;
    });
  }

  /** Gives back the connection held between rounds (the relay stopped); one a round is using, that round gives back. */
  async release(): Promise<void> {
    if (!this.held?.isTransactionActive) await this.drop();
  }

  private async drop(): Promise<void> {
    const runner = this.held;
    this.held = undefined;
    await runner?.release().catch(() => undefined);
  }

  /** A transaction on the connection the relay holds; an empty or failed round releases it. */
  private async inRelayTransaction(work: (manager: EntityManager) => Promise<number>): Promise<number> {
    // A second caller while a round runs (a drain, a test) takes a pooled connection as before.
    if (this.held?.isTransactionActive) return this.dataSource.transaction(work);
    const runner = (this.held ??= this.dataSource.createQueryRunner());
    try {
      await runner.startTransaction();
      const published = await work(runner.manager);
      await runner.commitTransaction();
      if (published === 0) await this.drop();
      return published;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await this.drop();
      throw error;
    }
  }

  async markPublished(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    if (this.dialect.kind === 'postgres') {
      // On every direct publish: one prepared text whatever the number of ids.
      await queryPrepared(
        this.dataSource.manager,
        'UPDATE outbox SET published_at = now() WHERE id = ANY($1::uuid[]) AND published_at IS NULL',
        [ids],
      );
      return;
    }
    await this.dataSource
      .getRepository(tablesFor(this.dialect.kind).outbox)
      .createQueryBuilder()
      .update()
      .set({ published_at: new Date() })
      .where('id IN (:...ids) AND published_at IS NULL', { ids })
      .execute();
  }

  async releaseHeld(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource
      .getRepository(tablesFor(this.dialect.kind).outbox)
      .createQueryBuilder()
      .update()
      .set({ relay_after: null })
      .where('id IN (:...ids) AND published_at IS NULL', { ids })
      .execute();
  }

  async prunePublished(before: Date): Promise<number> {
    const result = await this.dataSource
      .getRepository(tablesFor(this.dialect.kind).outbox)
      .createQueryBuilder()
      .delete()
      .where('published_at IS NOT NULL AND published_at < :before', { before: this.dialect.codecs.time.encode(before) })
      .execute();
    return result.affected ?? 0;
  }

  /** The relay's reads stay hand-written: the claim needs PostgreSQL's advisory locks, and the rows follow it. */
  private async read(manager: EntityManager, sql: string, params: unknown[]): Promise<OutboxRow[]> {
    const rows: Record<string, unknown>[] = await manager.query(sql, params);
    return rows.map(rowsFor(this.dialect.kind).outbox.read);
  }

  private oldestUnpublished(manager: EntityManager, limit: number): Promise<OutboxRow[]> {
    const q = this.dialect.sql();
    return this.read(
      manager,
      `SELECT ${ROW_COLUMNS} FROM outbox WHERE published_at IS NULL ORDER BY position LIMIT ${q.param(limit)}`,
      q.params,
    );
  }

  private async markRowsPublished(manager: EntityManager, rows: OutboxRow[]): Promise<void> {
    await manager
      .getRepository(tablesFor(this.dialect.kind).outbox)
      .createQueryBuilder()
      .update()
      .set({ published_at: new Date() })
      .where('position IN (:...positions)', { positions: rows.map((row) => row.position) })
      .execute();
  }
}
