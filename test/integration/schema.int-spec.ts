import { DataSource } from 'typeorm';
import { dataSourceOptions, MIGRATIONS, SchemaOutOfDateError } from '@calls/persistence';
import { TEST_DATABASES, TestDatabase } from '../support/test-databases';
import { startTestApp } from '../support/test-app';

describe.each(TEST_DATABASES)('the table definitions on %s', (_kind, create) => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await create();
    dataSource = await new DataSource(dataSourceOptions(database.settings)).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('agree with the migrated database: TypeORM finds nothing to change', async () => {
    const diff = await dataSource.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map((query) => query.query)).toEqual([]);
  });
});

describe.each(TEST_DATABASES)('a schema older than the release on %s', (_kind, create) => {
  let database: TestDatabase;

  afterAll(() => database?.drop());

  it('is refused at start, naming what is missing and `npm run migrate`', async () => {
    database = await create();
    const before = await new DataSource({
      ...dataSourceOptions(database.settings),
      migrations: MIGRATIONS.slice(0, -1),
    }).initialize();
    await before.destroy();
    const last = new MIGRATIONS[MIGRATIONS.length - 1]().name;

    const started = startTestApp(database, { DATABASE_MIGRATIONS_RUN: 'false' });
    await expect(started).rejects.toBeInstanceOf(SchemaOutOfDateError);
    await expect(started).rejects.toThrow(new RegExp(`1 migration\\(s\\) not applied \\(${last}\\).*npm run migrate`));
  });
});
