import { DataSource } from 'typeorm';
import { dataSourceOptions, databaseSettingsFromEnv } from './database.config';

/** Applies pending migrations and exits: the Kubernetes migration Job runs this before a rollout. */
async function main(): Promise<void> {
  const dataSource = await new DataSource({
    ...dataSourceOptions(databaseSettingsFromEnv()),
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
