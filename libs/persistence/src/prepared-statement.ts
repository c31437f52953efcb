import { createHash } from 'node:crypto';
import { QueryFailedError } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { Pool, PoolClient } from 'pg';

/**
 * Runs a PostgreSQL statement as a named prepared statement: each pooled
 * connection parses and plans its text once, and later runs send only Bind
 * and Execute. The name is the text's hash, so two texts never share one
 * (PostgreSQL refuses a name prepared with other text).
 *
 * TypeORM has no prepared statements, so this hands pg's query config to pg
 * itself: inside a transaction, to the client of the transaction's query
 * runner; outside one, to TypeORM's own pg pool, which checks a connection
 * out for the statement alone (a query runner per statement, as TypeORM's
 * `query()` makes, costs CPU for nothing it adds here: docs/performance.md).
 * It logs slow statements and logs and wraps errors as TypeORM's own
 * `query()` does, so logging and error handling see no difference. Only for
 * a fixed set of texts (the call's load and save variants, the outbox's mark):
 * each prepared text stays on its connection until the connection closes.
 */
export async function queryPrepared<T>(manager: EntityManager, text: string, values: unknown[]): Promise<T[]> {
  const runner = manager.queryRunner;
  const logger = manager.connection.logger;
  const config = { name: nameOf(text), text, values };
  const slowMs = manager.connection.options.maxQueryExecutionTime;
  try {
    logger.logQuery(text, values, runner);
    const started = slowMs ? performance.now() : 0;
    const result = runner
      ? await ((await runner.connect()) as PoolClient).query(config)
      : await (manager.connection.driver as unknown as { master: Pool }).master.query(config);
    // Outside a transaction this includes waiting for a pooled connection (pg's pool takes one inside query()).
    const took = slowMs ? performance.now() - started : 0;
    if (slowMs && took > slowMs) logger.logQuerySlow(took, text, values, runner);
    return result.rows as T[];
  } catch (error) {
    logger.logQueryError(error as Error, text, values, runner);
    throw new QueryFailedError(text, values, error as Error);
  }
}

const names = new Map<string, string>();

/** `calls_<hash>`, remembered so a hot statement is hashed once per process. */
function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `calls_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}
