import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@calls/persistence';
import { TEST_DATABASES, TestDatabase } from '../support/test-databases';

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
