/** The SQL dialects the service runs on: PostgreSQL in production, SQLite as the embedded default. */
export type DialectKind = 'postgres' | 'sqlite';

/**
 * Collects the parameters of one statement and writes each driver's
 * placeholder for them ($1, $2 ... on PostgreSQL, ? on SQLite). Values are
 * always bound, never spliced into the text. Use the placeholders in the
 * order the parameters were added (template literals evaluate left to right),
 * and each once: SQLite's `?` binds by position, so a value needed twice is
 * added twice.
 */
export class SqlBuilder {
  readonly params: unknown[] = [];

  constructor(readonly kind: DialectKind) {}

  param(value: unknown): string {
    this.params.push(value);
    return this.kind === 'postgres' ? `$${this.params.length}` : '?';
  }

  /** `(p1, p2, ...)` for one row of a multi-row VALUES list. */
  row(values: readonly unknown[]): string {
    return `(${values.map((value) => this.param(value)).join(', ')})`;
  }

  rows(rows: readonly (readonly unknown[])[]): string {
    return rows.map((values) => this.row(values)).join(', ');
  }
}
