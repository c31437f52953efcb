import { Logger } from '@nestjs/common';
import type { Logger as TypeormLogger } from 'typeorm';

/** Enough of a statement to recognise it; its parameters are never logged (they hold callers' data). */
const shown = (sql: string) => {
  const oneLine = sql.replace(/\s+/g, ' ').trim();
  return oneLine.length > 160 ? `${oneLine.slice(0, 160)}...` : oneLine;
};

/**
 * TypeORM's lines as the service's own (pino, through Nest's Logger), so
 * that a statement's warning, written while a request is served, names that
 * request like every other line (runtime's registerRequestContext). A slow
 * statement is a warning; a failed one is debug, because whoever ran it
 * answers or logs the failure itself; each query's text is not logged.
 */
export class DatabaseLogger implements TypeormLogger {
  private readonly logger = new Logger('Database');

  logQuery(): void {}

  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`statement took ${Math.round(time)} ms: ${shown(query)}`);
  }

  logQueryError(error: string | Error, query: string): void {
    this.logger.debug(`statement failed (${error instanceof Error ? error.message : error}): ${shown(query)}`);
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}
