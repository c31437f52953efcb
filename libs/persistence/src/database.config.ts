import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { DataSourceOptions } from 'typeorm';
import { DatabaseLogger } from './database.logger';
import { tablesFor } from './schema/tables';
import { InitialSchema1764220000000 } from './migrations/1764220000000-initial-schema';
import { TonesAndNotifier1764230000000 } from './migrations/1764230000000-tones-and-notifier';
import { IdempotencyKeys1764240000000 } from './migrations/1764240000000-idempotency-keys';
import { OutboxTraceContext1764250000000 } from './migrations/1764250000000-outbox-trace-context';
import { CallLifetimeAndMediaProgress1764260000000 } from './migrations/1764260000000-call-lifetime-and-media-progress';
import { NativePostgresTypes1764270000000 } from './migrations/1764270000000-native-postgres-types';
import { CommandReceipts1764265000000 } from './migrations/1764265000000-command-receipts';
import { CallRetentionAndTones1764290000000 } from './migrations/1764290000000-call-retention-and-tones';
import { DropIdempotencyKeys1764280000000 } from './migrations/1764280000000-drop-idempotency-keys';
import { OutboxDirectPublish1764266000000 } from './migrations/1764266000000-outbox-direct-publish';

export const MIGRATIONS = [
  InitialSchema1764220000000,
  TonesAndNotifier1764230000000,
  IdempotencyKeys1764240000000,
  OutboxTraceContext1764250000000,
  CallLifetimeAndMediaProgress1764260000000,
  CommandReceipts1764265000000,
  OutboxDirectPublish1764266000000,
  NativePostgresTypes1764270000000,
  DropIdempotencyKeys1764280000000,
  CallRetentionAndTones1764290000000,
];

export interface DatabaseSettings {
  /** PostgreSQL connection string; without it the service uses SQLite under `dataDir`. */
  readonly databaseUrl?: string;
  readonly dataDir: string;
  /** Apply pending migrations at start (the embedded default); Kubernetes runs them as a Job instead. */
  readonly runMigrations: boolean;
  readonly poolSize: number;
  /** Give up on a statement after this long, so a stuck database cannot hang requests. */
  readonly statementTimeoutMs: number;
  /** A statement that takes longer is logged as a warning, naming the request it served (0: never). */
  readonly slowStatementMs?: number;
}

export function dataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  const common = {
    // One definition per table (schema/tables.ts), for the query builder and the schema-diff test.
    entities: Object.values(tablesFor(settings.databaseUrl ? 'postgres' : 'sqlite')),
    migrations: MIGRATIONS,
    migrationsRun: settings.runMigrations,
    migrationsTransactionMode: 'all' as const,
    synchronize: false,
    logger: new DatabaseLogger(),
    // TypeORM reads 0 as off.
    maxQueryExecutionTime: settings.slowStatementMs ?? 0,
  };
  if (settings.databaseUrl) {
    return {
      ...common,
      type: 'postgres',
      url: settings.databaseUrl,
      extra: {
        max: settings.poolSize,
        statement_timeout: settings.statementTimeoutMs,
        connectionTimeoutMillis: settings.statementTimeoutMs,
      },
    };
  }
  mkdirSync(settings.dataDir, { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: join(settings.dataDir, 'calls.sqlite'),
    enableWAL: true,
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      db.pragma(`busy_timeout = ${settings.statementTimeoutMs}`);
      db.pragma('foreign_keys = ON');
    },
  };
}
