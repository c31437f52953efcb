import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { parseCloudEvent } from '@calls/messaging';
import type { CallsCloudEvent } from '@calls/messaging';
import type { DeadLetter, InboxItem, NotificationInbox } from '@calls/notifications';
import { affectedRows } from './sql/affected-rows';
import { Dialect, SqlBuilder } from './sql/sql-builder';

type Row = Record<string, unknown>;

const toItem = (row: Row): InboxItem => ({
  position: Number(row.position),
  eventId: String(row.event_id),
  callId: String(row.call_id),
  event: parseCloudEvent(String(row.event)),
  attempts: Number(row.attempts),
  receivedAt: new Date(String(row.received_at)),
  firstFailureAt: row.first_attempt_at ? new Date(String(row.first_attempt_at)) : null,
});

/** The notifier's inbox on the service's database (PostgreSQL or SQLite). */
@Injectable()
export class NotificationInboxTypeormStore implements NotificationInbox {
  private readonly dialect: Dialect;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.dialect = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }

  async accept(events: readonly CallsCloudEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const now = new Date().toISOString();
    const q = new SqlBuilder(this.dialect);
    const rows = events.map((event) => [
      event.id,
      String(event.source).split('/').pop(),
      JSON.stringify(event),
      'pending',
      now,
      now,
    ]);
    return affectedRows(
      this.dataSource,
      `INSERT INTO notifier_inbox (event_id, call_id, event, status, next_attempt_at, received_at)
       VALUES ${q.rows(rows)} ON CONFLICT (event_id) DO NOTHING`,
      q.params,
    );
  }

  async claimDue(limit: number, now: Date, leaseMs: number): Promise<InboxItem[]> {
    const q = new SqlBuilder(this.dialect);
    const at = now.toISOString();
    const candidates: Row[] = await this.dataSource.query(
      `SELECT i.* FROM notifier_inbox i
       WHERE i.status = 'pending' AND i.next_attempt_at <= ${q.param(at)}
         AND (i.claimed_until IS NULL OR i.claimed_until < ${q.param(at)})
         AND NOT EXISTS (SELECT 1 FROM notifier_inbox e
                         WHERE e.call_id = i.call_id AND e.status = 'pending' AND e.position < i.position)
       ORDER BY i.position LIMIT ${q.param(limit)}`,
      q.params,
    );
    const claimed: InboxItem[] = [];
    const until = new Date(now.getTime() + leaseMs).toISOString();
    for (const row of candidates) {
      const c = new SqlBuilder(this.dialect);
      // Another notifier may have taken it since the read: only one UPDATE wins the lease.
      const won = await affectedRows(
        this.dataSource,
        `UPDATE notifier_inbox SET claimed_until = ${c.param(until)}
         WHERE position = ${c.param(row.position)} AND status = 'pending'
           AND (claimed_until IS NULL OR claimed_until < ${c.param(at)})`,
        c.params,
      );
      if (won === 1) claimed.push(toItem(row));
    }
    return claimed;
  }

  async markDone(item: InboxItem, outcome: 'delivered' | 'skipped', now: Date): Promise<void> {
    const q = new SqlBuilder(this.dialect);
    await affectedRows(
      this.dataSource,
      `UPDATE notifier_inbox SET status = ${q.param(outcome)}, attempts = attempts + ${q.param(outcome === 'delivered' ? 1 : 0)},
         claimed_until = NULL, finished_at = ${q.param(now.toISOString())} WHERE position = ${q.param(item.position)}`,
      q.params,
    );
  }

  async scheduleRetry(item: InboxItem, nextAttemptAt: Date, error: string, now = new Date()): Promise<void> {
    const q = new SqlBuilder(this.dialect);
    await affectedRows(
      this.dataSource,
      `UPDATE notifier_inbox SET attempts = attempts + 1, next_attempt_at = ${q.param(nextAttemptAt.toISOString())},
         first_attempt_at = COALESCE(first_attempt_at, ${q.param(now.toISOString())}),
         claimed_until = NULL, last_error = ${q.param(error.slice(0, 1024))} WHERE position = ${q.param(item.position)}`,
      q.params,
    );
  }

  async markDead(item: InboxItem, error: string, now: Date): Promise<void> {
    const q = new SqlBuilder(this.dialect);
    await affectedRows(
      this.dataSource,
      `UPDATE notifier_inbox SET status = 'dead', attempts = attempts + 1, claimed_until = NULL,
         last_error = ${q.param(error.slice(0, 1024))}, finished_at = ${q.param(now.toISOString())}
       WHERE position = ${q.param(item.position)}`,
      q.params,
    );
  }

  async listDead(limit: number): Promise<DeadLetter[]> {
    const q = new SqlBuilder(this.dialect);
    const rows: Row[] = await this.dataSource.query(
      `SELECT event_id, call_id, event, attempts, last_error, finished_at FROM notifier_inbox
       WHERE status = 'dead' ORDER BY position LIMIT ${q.param(limit)}`,
      q.params,
    );
    return rows.map((row) => ({
      eventId: String(row.event_id),
      callId: String(row.call_id),
      type: String((JSON.parse(String(row.event)) as { type: string }).type),
      attempts: Number(row.attempts),
      lastError: (row.last_error as string | null) ?? null,
      failedAt: row.finished_at ? new Date(String(row.finished_at)) : null,
    }));
  }

  /**
   * A replayed letter gets a fresh budget (its first failure is forgotten) and goes back in line. It keeps its
   * place (position), so it is delivered before later events of its call that
   * are still pending.
   */
  async replay(eventIds: readonly string[] | 'all', now: Date): Promise<number> {
    const q = new SqlBuilder(this.dialect);
    const at = now.toISOString();
    const set = `status = 'pending', attempts = 0, next_attempt_at = ${q.param(at)}, first_attempt_at = NULL`;
    const which =
      eventIds === 'all' ? '' : ` AND event_id IN (${eventIds.map((id) => q.param(id)).join(', ') || 'NULL'})`;
    return affectedRows(
      this.dataSource,
      `UPDATE notifier_inbox SET ${set}, claimed_until = NULL, finished_at = NULL WHERE status = 'dead'${which}`,
      q.params,
    );
  }
}
