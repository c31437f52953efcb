import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { loadConfig } from '@calls/config';
import { dataSourceOptions, MIGRATIONS } from './database.config';

/**
 * Applies pending migrations and exits: the Kubernetes migration Job runs this
 * before a rollout. `--until <timestamp>` stops after that migration, so a
 * two-step rollout can deploy code first and convert afterwards (see
 * docs/operations.md, "Upgrading the schema").
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { until: { type: 'string' } } });
  const until = values.until === undefined ? Infinity : Number(values.until);
  if (Number.isNaN(until)) throw new Error(`--until takes a migration's timestamp, not '${values.until}'`);
  const migrations = MIGRATIONS.filter((migration) => Number(/\d{13}$/.exec(migration.name)?.[0]) <= until);
  const dataSource = await new DataSource({
    ...dataSourceOptions(loadConfig().database),
    migrations,
    migrationsRun: false,
  }).initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'all' });
    console.error(`applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ') || 'none pending'}`);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
