import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, MigrationExecutor } from 'typeorm';

/** The schema is older than the code: the process must not serve on it. */
export class SchemaOutOfDateError extends Error {
  constructor(readonly pending: readonly string[]) {
    super(
      `The database schema is older than this release: ${pending.length} migration(s) not applied ` +
        `(${pending.join(', ')}). Run \`npm run migrate\` (the migration Job in Kubernetes), then start again.`,
    );
    this.name = new.target.name;
  }
}

/** Throws SchemaOutOfDateError unless every migration this release ships has been applied. */
export async function assertSchemaCurrent(dataSource: DataSource): Promise<void> {
  const pending = await new MigrationExecutor(dataSource).getPendingMigrations();
  if (pending.length > 0) throw new SchemaOutOfDateError(pending.map((migration) => migration.name));
}

/**
 * Refuses to start on an older schema. The code reads and writes only the
 * schema of its own migrations (no release reads two forms of a column), so
 * a replica on a database the migration Job has not yet brought up to date
 * would fail request by request; it fails once, at start, saying what to run
 * (docs/operations.md, "Upgrading the schema"). With `DATABASE_MIGRATIONS_RUN`
 * on (the embedded default) they have just run, and nothing is checked.
 */
@Injectable()
export class SchemaVersionCheck implements OnModuleInit {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    // Migrations that ran as the data source started leave none pending: no query to prove it.
    if (this.dataSource.options.migrationsRun) return;
    await assertSchemaCurrent(this.dataSource);
  }
}
