import { createHash } from 'node:crypto';
import { QueryFailedError } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { PoolClient } from 'pg';

/**
 * Runs a PostgreSQL statement as a named prepared statement: each pooled
 * connection parses and plans its text once, and later runs send only Bind
 * and Execute. The name is the text's hash, so two texts never share one
 * (PostgreSQL refuses a name prepared with other text).
 *
 * TypeORM has no prepared statements, so this hands pg's query config to the
 * pg client of TypeORM's own query runner: inside a transaction, the
 * transaction's connection; outside one, a connection borrowed from TypeORM's
 * pool for this statement alone. It logs and wraps errors as TypeORM's own
 * `query()` does, so query logging and error handling see no difference.
 * Only for a fixed set of texts (the call's load and save variants): each
 * prepared text stays on its connection until the connection closes.
 */
export async function queryPrepared<T>(manager: EntityManager, text: string, values: unknown[]): Promise<T[]> {
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  const logger = manager.connection.logger;
  try {
    const client = (await runner.connect()) as PoolClient;
    logger.logQuery(text, values, runner);
    const result = await client.query({ name: nameOf(text), text, values });
    return result.rows as T[];
  } catch (error) {
    logger.logQueryError(error as Error, text, values, runner);
    throw new QueryFailedError(text, values, error as Error);
  } finally {
    if (!manager.queryRunner) await runner.release();
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
