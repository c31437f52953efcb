import type { ValueTransformer } from 'typeorm';

/**
 * Timestamps are stored as ISO-8601 UTC text: the one representation that
 * PostgreSQL and SQLite (the embedded default) both store, compare and sort
 * the same way, with no driver time-zone conversion in between.
 */
export const isoTimestamp: ValueTransformer = {
  to: (value: Date | null | undefined) => (value ? value.toISOString() : value),
  from: (value: string | null) => (value ? new Date(value) : null),
};

/** JSON kept as text for the same portability reason. */
export const jsonText: ValueTransformer = {
  to: (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value)),
  from: (value: string | null) => (value === null ? null : JSON.parse(value)),
};
