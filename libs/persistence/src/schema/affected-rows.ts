import type { DataSource } from 'typeorm';

/**
 * Runs one write and answers how many rows it affected. TypeORM reports the
 * count only through a query runner's structured result (on PostgreSQL and
 * SQLite alike), so each write borrows a runner for the one statement.
 */
export async function affectedRows(dataSource: DataSource, sql: string, params: unknown[]): Promise<number> {
  const runner = dataSource.createQueryRunner();
  try {
    return (await runner.query(sql, params, true)).affected ?? 0;
  } finally {
    await runner.release();
  }
}
