import type { EntitySchema } from 'typeorm';
import type { SqlBuilder } from './schema/sql-builder';

/** The SQL type of a column, for the record definitions its values are bound in (see recordsetRows). */
export function recordsetCasts<T>(table: EntitySchema<T>): Map<string, string> {
  return new Map(
    Object.entries(table.options.columns).map(([column, options]) => [
      column,
      String((options as { type: unknown }).type),
    ]),
  );
}

/**
 * `SELECT ... FROM jsonb_to_recordset($1::jsonb)`: any number of rows as one
 * JSON parameter, so the statement's text (and its parse) is the same for 1
 * row as for 40. One `JSON.stringify` binds them all, where an array per
 * column made the driver quote every element. Times go as ISO-8601 text,
 * JSON columns as they are, each cast by the record's column types (the
 * table's own). Bound as jsonb, not json, so PostgreSQL parses the text
 * once (docs/performance.md, "A save's rows as one jsonb parameter").
 */
export function recordsetRows<T>(
  q: SqlBuilder,
  casts: Map<string, string>,
  rows: readonly Partial<T>[],
  columns: readonly (keyof T & string)[],
  /** One more value per row, computed in SQL from another relation of the FROM list. */
  extra?: { readonly select: string; readonly from: string },
): string {
  const records = rows.map((row) => {
    const record: Record<string, unknown> = {};
    for (const column of columns) {
      const value = row[column];
      // A key left out reads as NULL: a null costs the parameter nothing.
      if (value != null) record[column] = value instanceof Date ? isoTime(value) : value;
    }
    return record;
  });
  const names = columns.join(', ');
  const definition = columns.map((column) => `${column} ${casts.get(column)}`).join(', ');
  // In array order (WITH ORDINALITY): the outbox's positions must follow the events' order.
  return `SELECT ${names}${extra ? `, ${extra.select}` : ''}
    FROM ROWS FROM (jsonb_to_recordset(${q.param(JSON.stringify(records))}::jsonb) AS (${definition}))
      WITH ORDINALITY AS v(${names}, n)${extra ? `, ${extra.from}` : ''}`;
}

let lastTime = NaN;
let lastText: string | null = null;

/**
 * A time as JSON.stringify writes it (Date's toJSON: ISO 8601, null when
 * invalid), remembering the last one: a decision's rows mostly share its
 * instant (each event's occurred_at, each ended operation's ended_at): a
 * Date's toJSON is slow by comparison (docs/performance.md, "Less per-event
 * and per-row work").
 */
function isoTime(time: Date): string | null {
  const ms = time.getTime();
  if (ms !== lastTime) {
    lastTime = ms;
    lastText = Number.isFinite(ms) ? time.toISOString() : null;
  }
  return lastText;
}
