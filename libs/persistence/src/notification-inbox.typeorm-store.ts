import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, Repository } from 'typeorm';
import { parseCloudEvent } from '@calls/messaging';
import type { CallsCloudEvent } from '@calls/messaging';
import type { DeadLetter, InboxItem, NotificationInbox } from '@calls/notifications';
import { SqlDialect } from './schema/dialect';
import { tablesFor } from './schema/tables';
import type { InboxRow } from './schema/tables';
import { affectedRows } from './schema/affected-rows';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

const toItem = (row: InboxRow): InboxItem => ({
  position: row.position,
  eventId: row.event_id,
  callId: row.call_id,
  event: parseCloudEvent(JSON.stringify(row.event)),
  attempts: row.attempts,
  receivedAt: row.received_at,
  firstFailureAt: row.first_attempt_at,
});

/**
 * The notifier's inbox on the service's database (PostgreSQL or SQLite),
 * through TypeORM's query builder on the inbox's table definition: none of
 * this is on a request's path.
 */
@Injectable()
export class NotificationInboxTypeormStore implements NotificationInbox {
  private readonly dialect: SqlDialect;
  private readonly inbox: Repository<InboxRow>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.dialect = SqlDialect.of(dataSource);
    this.inbox = dataSource.getRepository(tablesFor(this.dialect.kind).inbox);
  }

  async accept(events: readonly CallsCloudEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const now = new Date();
    const rows = events.map((event) => ({
      event_id: event.id,
      call_id: String(event.source).split('/').pop()!,
      // As received: the CloudEvent's JSON form, read back with parseCloudEvent.
      // (TypeORM's deep-partial type cannot express an open JSON object.)
      event: JSON.parse(JSON.stringify(event)) as QueryDeepPartialEntity<InboxRow['event']>,
      status: 'pending',
      next_attempt_at: now,
      received_at: now,
    }));
    // A redelivered event (same id) is already here: ignored, so it is sent once.
    const insert = this.inbox.createQueryBuilder().insert().values(rows).orIgnore().updateEntity(false);
    // Run through a query runner for the count of rows written, which TypeORM's InsertResult does not carry.
    const [sql, parameters] = insert.getQueryAndParameters();
    return affectedRows(this.inbox.manager.connection, sql, parameters);
  }

  async claimDue(limit: number, now: Date, leaseMs: number): Promise<InboxItem[]> {
    const at = this.at(now);
    const candidates = await this.inbox
      .createQueryBuilder('i')
      .where("i.status = 'pending' AND i.next_attempt_at <= :at", { at })
      .andWhere(this.leaseFree('i', at))
      // One event per call at a time, in arrival order: an earlier pending event of the call blocks the later ones.
      .andWhere(
        `NOT EXISTS (SELECT 1 FROM notifier_inbox e
                     WHERE e.call_id = i.call_id AND e.status = 'pending' AND e.position < i.position)`,
      )
      .orderBy('i.position')
      .limit(limit)
      .getMany();
    const claimed: InboxItem[] = [];
    const until = new Date(now.getTime() + leaseMs);
    for (const row of candidates) {
      // Another notifier may have taken it since the read: only one UPDATE wins the lease.
      const won = await this.inbox
        .createQueryBuilder()
        .update()
        .set({ claimed_until: until })
        .where("position = :position AND status = 'pending'", { position: row.position })
        .andWhere(this.leaseFree('notifier_inbox', at))
        .execute();
      if (won.affected === 1) claimed.push(toItem(row));
    }
    return claimed;
  }

  async markDone(item: InboxItem, outcome: 'delivered' | 'skipped', now: Date): Promise<void> {
    await this.update(item, {
      status: outcome,
      attempts: () => `attempts + ${outcome === 'delivered' ? 1 : 0}`,
      claimed_until: null,
      finished_at: now,
    });
  }

  async scheduleRetry(item: InboxItem, nextAttemptAt: Date, error: string, now = new Date()): Promise<void> {
    await this.update(
      item,
      {
        attempts: () => 'attempts + 1',
        next_attempt_at: nextAttemptAt,
        first_attempt_at: () => 'COALESCE(first_attempt_at, :now)',
        claimed_until: null,
        last_error: error.slice(0, 1024),
      },
      { now: this.at(now) },
    );
  }

  async markDead(item: InboxItem, error: string, now: Date): Promise<void> {
    await this.update(item, {
      status: 'dead',
      attempts: () => 'attempts + 1',
      claimed_until: null,
      last_error: error.slice(0, 1024),
      finished_at: now,
    });
  }

  async listDead(limit: number): Promise<DeadLetter[]> {
    const rows = await this.inbox.find({ where: { status: 'dead' }, order: { position: 'ASC' }, take: limit });
    return rows.map((row) => ({
      eventId: row.event_id,
      callId: row.call_id,
      type: String((row.event as { type: string }).type),
      attempts: row.attempts,
      lastError: row.last_error,
      failedAt: row.finished_at,
    }));
  }

  /**
   * A replayed letter gets a fresh budget (its first failure is forgotten) and
   * goes back in line. It keeps its place (position), so it is delivered
   * before later events of its call that are still pending.
   */
  async replay(eventIds: readonly string[] | 'all', now: Date): Promise<number> {
    if (eventIds !== 'all' && eventIds.length === 0) return 0;
    const query = this.inbox
      .createQueryBuilder()
      .update()
      .set({
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        first_attempt_at: null,
        claimed_until: null,
        finished_at: null,
      })
      .where("status = 'dead'");
    if (eventIds !== 'all') query.andWhere('event_id IN (:...eventIds)', { eventIds });
    return (await query.execute()).affected ?? 0;
  }

  private async update(
    item: InboxItem,
    changes: QueryDeepPartialEntity<InboxRow>,
    parameters: Record<string, unknown> = {},
  ): Promise<void> {
    await this.inbox
      .createQueryBuilder()
      .update()
      .set(changes)
      .where('position = :position', { position: item.position })
      .setParameters(parameters)
      .execute();
  }

  private leaseFree(alias: string, at: unknown): Brackets {
    return new Brackets((where) =>
      where.where(`${alias}.claimed_until IS NULL`).orWhere(`${alias}.claimed_until < :at`, { at }),
    );
  }

  /** A time as a query parameter (bound as is, so encoded here: text on SQLite, cast to timestamptz on PostgreSQL). */
  private at(date: Date): unknown {
    return this.dialect.codecs.time.encode(date);
  }
}
