import type { DataSource, ValueTransformer } from 'typeorm';
import type { EntitySchemaColumnOptions } from 'typeorm';
import { DialectKind, SqlBuilder } from './sql-builder';

export type { DialectKind };

/** A value's representation on one dialect: how it is bound as a parameter and read back from a row. */
export interface Codec<T> {
  encode(value: T | null): unknown;
  decode(value: unknown): T | null;
}

const nullable =
  <T>(decode: (value: NonNullable<unknown>) => T) =>
  (value: unknown): T | null =>
    value === null || value === undefined ? null : decode(value);

/*
 * Decoding accepts both representations (a Date or ISO-8601 text, an object or
 * JSON text, a boolean or 0/1), so one release reads a PostgreSQL database
 * before and after the native-types migration: it is deployed first (expand),
 * then the migration converts the columns in place (contract). Encoding binds
 * text and numbers, which PostgreSQL casts to the column's type whichever the
 * column is, and which SQLite stores as they are.
 */
export const time: Codec<Date> = {
  encode: (value) => (value ? value.toISOString() : null),
  decode: nullable((value) => (value instanceof Date ? value : new Date(String(value)))),
};
// Every JSON column holds objects or arrays (receipts wrap their result), so a string read back is
// JSON text from a text column, never a JSON string value.
export const json: Codec<unknown> = {
  encode: (value) => (value === null || value === undefined ? null : JSON.stringify(value)),
  decode: nullable((value) => (typeof value === 'string' ? JSON.parse(value) : value)),
};
export const flag: Codec<boolean> = {
  encode: (value) => (value === null ? null : value ? 1 : 0),
  decode: nullable((value) => value === true || Number(value) === 1),
};

/** Codecs as TypeORM transformers, for the query builder and repository API on the cold paths. */
const transformer = <T>(codec: Codec<T>): ValueTransformer => ({
  to: (value: T | null | undefined) => codec.encode(value ?? null),
  from: (value: unknown) => codec.decode(value),
});

/**
 * PostgreSQL's driver binds native values itself; the transformer only reads
 * tolerantly, so the query builder also works on the text columns of a
 * database not yet converted.
 */
const reader = <T>(codec: Codec<T>): ValueTransformer => ({
  to: (value: T | null | undefined) => value,
  from: (value: unknown) => codec.decode(value),
});

/**
 * Everything that differs between PostgreSQL and SQLite, decided once per
 * data source: the column types of the table definitions, the codecs that
 * turn a row's values into typed ones, and the placeholders of hand-written
 * SQL.
 *
 * PostgreSQL stores native types: `uuid` for the ids the service mints,
 * `timestamptz` for every time, `jsonb` for every JSON value, `boolean` for
 * flags. SQLite has no such types and keeps ISO-8601 UTC text (which sorts as
 * time), JSON text and 0/1 integers; the same typed rows sit on top of both.
 */
export class SqlDialect {
  readonly codecs = { time, json, flag };

  constructor(readonly kind: DialectKind) {}

  static of(dataSource: DataSource): SqlDialect {
    return new SqlDialect(dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite');
  }

  /** A new statement's parameters and placeholders. */
  sql(): SqlBuilder {
    return new SqlBuilder(this.kind);
  }

  /** Column types for the table definitions (see tables.ts). */
  get columns() {
    const pg = this.kind === 'postgres';
    const native = (type: EntitySchemaColumnOptions['type']) => ({ type });
    return {
      /** An id the service mints (a GUID). */
      id: (): EntitySchemaColumnOptions => (pg ? native('uuid') : { type: 'varchar', length: 36 }),
      time: (isNullable = false): EntitySchemaColumnOptions =>
        pg
          ? { type: 'timestamptz', nullable: isNullable, transformer: reader(time) }
          : { type: 'varchar', length: 32, nullable: isNullable, transformer: transformer(time) },
      json: (isNullable = false): EntitySchemaColumnOptions =>
        pg
          ? { type: 'jsonb', nullable: isNullable, transformer: reader(json) }
          : { type: 'text', nullable: isNullable, transformer: transformer(json) },
      flag: (defaultValue: boolean): EntitySchemaColumnOptions =>
        pg
          ? { type: 'boolean', default: defaultValue, transformer: reader(flag) }
          : { type: 'integer', default: defaultValue ? 1 : 0, transformer: transformer(flag) },
    };
  }
}
