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

const decodeTime = nullable((value) => (value instanceof Date ? value : new Date(String(value))));
const encodeTime = (value: Date | null) => (value ? value.toISOString() : null);
// Bound as JSON text: pg would send a JS array as a PostgreSQL array, and SQLite stores the text.
const encodeJson = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/*
 * How each dialect's driver hands back a column, and how a value is bound.
 * PostgreSQL (native types): a time is a Date from the driver, or ISO-8601
 * text with an offset inside a load's JSON; jsonb comes parsed; a flag is a
 * boolean. SQLite: ISO-8601 UTC text, JSON text, 0/1. Both bind times as
 * ISO-8601 text, JSON as text and flags as 0/1, which PostgreSQL casts to the
 * column's type and SQLite stores as they are.
 */
const POSTGRES_CODECS = {
  time: { encode: encodeTime, decode: decodeTime } satisfies Codec<Date>,
  json: { encode: encodeJson, decode: nullable((value) => value) } satisfies Codec<unknown>,
  flag: {
    encode: (value: boolean | null) => (value === null ? null : value ? 1 : 0),
    decode: nullable((value) => value === true),
  } satisfies Codec<boolean>,
};

const SQLITE_CODECS = {
  time: POSTGRES_CODECS.time,
  json: { encode: encodeJson, decode: nullable((value) => JSON.parse(String(value))) } satisfies Codec<unknown>,
  flag: {
    encode: POSTGRES_CODECS.flag.encode,
    decode: nullable((value) => Number(value) === 1),
  } satisfies Codec<boolean>,
};

export type Codecs = typeof POSTGRES_CODECS;

/** The codecs of a dialect. */
export const codecsFor = (kind: DialectKind): Codecs => (kind === 'postgres' ? POSTGRES_CODECS : SQLITE_CODECS);

/** Codecs as TypeORM transformers, for the query builder and repository API on the cold paths. */
const transformer = <T>(codec: Codec<T>): ValueTransformer => ({
  to: (value: T | null | undefined) => codec.encode(value ?? null),
  from: (value: unknown) => codec.decode(value),
});

/** PostgreSQL's driver binds and reads native values itself, a JSON load's text excepted (see the codecs). */
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
  readonly codecs: Codecs;

  constructor(readonly kind: DialectKind) {
    this.codecs = codecsFor(kind);
  }

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
    const { time, json, flag } = this.codecs;
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
