import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { scrapedGauge } from '@calls/runtime';
import { SqlDialect, tablesFor } from '@calls/persistence';

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** Outbox backlog, the age of its oldest row, and database pool use (pg's own counters), read on each scrape. */
@Injectable()
export class DatabaseMetrics implements OnModuleInit {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    scrapedGauge('outbox_backlog', 'Outbox rows not yet published.', async () => (await this.backlog()).count);
    scrapedGauge('outbox_oldest_unpublished_age_seconds', 'Age of the oldest unpublished outbox row.', async () => {
      const { oldest } = await this.backlog();
      return oldest ? (Date.now() - oldest.getTime()) / 1000 : 0;
    });
    // PostgresDriver's public `master` is the pg Pool; SQLite has none, and its gauges stay 0.
    const driver = this.dataSource.driver;
    const pool = () => (driver instanceof PostgresDriver ? (driver.master as PgPool | undefined) : undefined);
    scrapedGauge('db_pool_connections', 'Open database pool connections (PostgreSQL).', () => pool()?.totalCount ?? 0);
    scrapedGauge(
      'db_pool_idle_connections',
      'Idle database pool connections (PostgreSQL).',
      () => pool()?.idleCount ?? 0,
    );
    scrapedGauge(
      'db_pool_waiting_requests',
      'Queries waiting for a pool connection (PostgreSQL).',
      () => pool()?.waitingCount ?? 0,
    );
  }

  private async backlog(): Promise<{ count: number; oldest: Date | null }> {
    const dialect = SqlDialect.of(this.dataSource);
    const row = await this.dataSource
      .getRepository(tablesFor(dialect.kind).outbox)
      .createQueryBuilder('o')
      .select('COUNT(*)', 'count')
      .addSelect('MIN(o.occurred_at)', 'oldest')
      .where('o.published_at IS NULL')
      .getRawOne<{ count: number | string; oldest: unknown }>();
    // An aggregate comes back raw (a bigint as text on PostgreSQL, the stored text on SQLite).
    return { count: Number(row?.count ?? 0), oldest: dialect.codecs.time.decode(row?.oldest) };
  }
}
