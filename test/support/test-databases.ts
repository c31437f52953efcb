import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DatabaseSettings } from '@calls/persistence';

/** The machine's PostgreSQL (trust auth); override with TEST_POSTGRES_ADMIN_URL. */
const ADMIN_URL = process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly kind: 'postgres' | 'sqlite';
  readonly settings: DatabaseSettings;
  drop(): Promise<void>;
}

const base = { runMigrations: true, poolSize: 5, statementTimeoutMs: 5000 };

/** A database of this run alone, so parallel runs never see each other's rows. */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = `calls_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    settings: { ...base, databaseUrl: url.toString(), dataDir: mkdtempSync(join(tmpdir(), 'calls-pg-')) },
    async drop() {
      const client = new Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function createSqliteDatabase(): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'calls-sqlite-'));
  return {
    kind: 'sqlite',
    settings: { ...base, dataDir },
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const TEST_DATABASES = [
  ['postgres', createPostgresDatabase],
  ['sqlite', createSqliteDatabase],
] as const;
