import { EntitySchema } from 'typeorm';
import type { EntitySchemaColumnOptions } from 'typeorm';
import type { DialectKind } from './sql-builder';
import { Codec, codecsFor, SqlDialect } from './dialect';

/*
 * One definition per table: the typed row each adapter reads and writes, the
 * columns of hand-written statements, and what the schema-diff test compares
 * with a migrated database (so a migration and these definitions cannot
 * drift). Property names are the column names: a row is the table's row.
 */

export interface CallRow {
  id: string;
  tenant_id: string;
  app_id: string;
  state: string;
  callback_uri: string;
  direction: string;
  requested_modalities: unknown;
  media_config: unknown;
  source: unknown;
  targets: unknown;
  subject: string | null;
  my_participant_id: string;
  operation_sequence: number;
  tone_subscribed: boolean;
  tone_sequence: number;
  last_tone: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  keepalive_deadline: Date | null;
  result_info: unknown;
  chat_info: unknown;
  meeting_info: unknown;
  call_options: unknown;
}

export interface OperationRow {
  id: string;
  call_id: string;
  kind: string;
  sequence: number;
  status: string;
  client_context: string | null;
  parameters: unknown;
  result_code: number | null;
  result_subcode: number | null;
  result_message: string | null;
  completion_reason: string | null;
  recording_location: string | null;
  recording_access_token: string | null;
  cancelled_operations: unknown;
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
  played_duration_ms: number | null;
  not_cancelled_operations: unknown;
}

export interface OutboxRow {
  position: number;
  id: string;
  aggregate_id: string;
  type: string;
  payload: unknown;
  occurred_at: Date;
  published_at: Date | null;
  traceparent: string | null;
  tracestate: string | null;
  /** Published by the replica that wrote it; the relay takes it only after this (NULL: at once). */
  relay_after: Date | null;
}

export interface InboxRow {
  position: number;
  event_id: string;
  call_id: string;
  event: Record<string, unknown>;
  status: string;
  attempts: number;
  next_attempt_at: Date;
  first_attempt_at: Date | null;
  claimed_until: Date | null;
  last_error: string | null;
  received_at: Date;
  finished_at: Date | null;
}

export interface ReceiptRow {
  tenant_id: string;
  app_id: string;
  idempotency_key: string;
  fingerprint: string;
  result: unknown;
  created_at: Date;
  expires_at: Date;
}

export interface Tables {
  readonly calls: EntitySchema<CallRow>;
  readonly operations: EntitySchema<OperationRow>;
  readonly outbox: EntitySchema<OutboxRow>;
  readonly inbox: EntitySchema<InboxRow>;
  readonly receipts: EntitySchema<ReceiptRow>;
}

const text = (length: number, nullable = false): EntitySchemaColumnOptions => ({ type: 'varchar', length, nullable });
const int = (nullable = false): EntitySchemaColumnOptions => ({ type: 'integer', nullable });
const position: EntitySchemaColumnOptions = { type: 'integer', primary: true, generated: 'increment' };

function define(kind: DialectKind): Tables {
  const { id, time, json, flag } = new SqlDialect(kind).columns;
  const calls = new EntitySchema<CallRow>({
    name: 'calls',
    columns: {
      id: { ...id(), primary: true },
      tenant_id: text(64),
      app_id: text(64),
      state: text(32),
      callback_uri: text(2048),
      direction: text(16),
      requested_modalities: json(),
      media_config: json(),
      source: json(true),
      targets: json(),
      subject: text(1024, true),
      my_participant_id: id(),
      operation_sequence: int(),
      tone_subscribed: flag(false),
      tone_sequence: { ...int(), default: 0 },
      last_tone: text(8, true),
      version: int(),
      created_at: time(),
      updated_at: time(),
      keepalive_deadline: time(true),
      result_info: json(true),
      chat_info: json(true),
      meeting_info: json(true),
      call_options: json(true),
    },
    indices: [
      { name: 'ix_calls_owner', columns: ['tenant_id', 'app_id', 'id'] },
      // The expiry sweep reads only live calls, oldest deadline first.
      { name: 'ix_calls_live_keepalive', columns: ['keepalive_deadline'], where: "state <> 'terminated'" },
      // The retention sweep reads only ended calls, the longest ended first.
      { name: 'ix_calls_ended', columns: ['updated_at'], where: "state = 'terminated'" },
    ],
  });
  const operations = new EntitySchema<OperationRow>({
    name: 'media_operations',
    columns: {
      id: { ...id(), primary: true },
      call_id: id(),
      kind: text(32),
      sequence: int(),
      status: text(16),
      client_context: text(256, true),
      parameters: json(),
      result_code: int(true),
      result_subcode: int(true),
      result_message: text(1024, true),
      completion_reason: text(32, true),
      recording_location: text(2048, true),
      recording_access_token: text(2048, true),
      cancelled_operations: json(true),
      created_at: time(),
      started_at: time(true),
      ended_at: time(true),
      played_duration_ms: int(true),
      not_cancelled_operations: json(true),
    },
    foreignKeys: [{ target: 'calls', columnNames: ['call_id'], referencedColumnNames: ['id'] }],
    // The aggregate loads only the operations still queued or running.
    indices: [{ name: 'ix_media_operations_active', columns: ['call_id', 'status'] }],
  });
  const outbox = new EntitySchema<OutboxRow>({
    name: 'outbox',
    columns: {
      position,
      // The CloudEvent id: a relay's retries keep it.
      id: { ...id(), unique: true },
      aggregate_id: id(),
      type: text(64),
      payload: json(),
      occurred_at: time(),
      published_at: time(true),
      traceparent: text(55, true),
      tracestate: text(512, true),
      relay_after: time(true),
    },
    indices: [
      { name: 'ix_outbox_unpublished', columns: ['published_at', 'position'] },
      { name: 'ix_outbox_unpublished_by_call', columns: ['aggregate_id', 'position'], where: 'published_at IS NULL' },
    ],
  });
  const inbox = new EntitySchema<InboxRow>({
    name: 'notifier_inbox',
    columns: {
      position,
      // Received, not minted: any producer's event id and call id are kept as sent.
      event_id: { ...text(64), unique: true },
      call_id: text(36),
      event: json(),
      status: text(16),
      attempts: { ...int(), default: 0 },
      next_attempt_at: time(),
      first_attempt_at: time(true),
      claimed_until: time(true),
      last_error: text(1024, true),
      received_at: time(),
      finished_at: time(true),
    },
    indices: [{ name: 'ix_notifier_inbox_pending', columns: ['status', 'call_id', 'position'] }],
  });
  const receipts = new EntitySchema<ReceiptRow>({
    name: 'command_receipts',
    columns: {
      tenant_id: { ...text(64), primary: true },
      app_id: { ...text(64), primary: true },
      idempotency_key: { ...text(128), primary: true },
      fingerprint: text(64),
      result: json(true),
      created_at: time(),
      expires_at: time(),
    },
    indices: [{ name: 'ix_command_receipts_expiry', columns: ['expires_at'] }],
  });
  return { calls, operations, outbox, inbox, receipts };
}

const defined: Partial<Record<DialectKind, Tables>> = {};

/** The table definitions for one dialect (built once: TypeORM keys its metadata by these objects). */
export function tablesFor(kind: DialectKind): Tables {
  return (defined[kind] ??= define(kind));
}

/** The column names of a table, in definition order, for hand-written statements. */
export function columnsOf<T>(table: EntitySchema<T>): (keyof T & string)[] {
  return Object.keys(table.options.columns) as (keyof T & string)[];
}

type Raw = Record<string, unknown>;

/** A table's rows as hand-written SQL binds and reads them, on either dialect. */
export interface RowCodec<T> {
  readonly table: string;
  readonly columns: readonly (keyof T & string)[];
  /** The values of `columns` (all by default), encoded for binding, in that order. */
  values(row: Partial<T>, columns?: readonly (keyof T & string)[]): unknown[];
  /** A row as the driver returned it, decoded to its typed values. */
  read(raw: Raw): T;
}

/**
 * Built from the PostgreSQL definition, whose native types say which codec a
 * column needs, with the codecs of the dialect whose rows it reads.
 */
function rowCodec<T>(table: EntitySchema<T>, kind: DialectKind): RowCodec<T> {
  const { time, json, flag } = codecsFor(kind);
  // Codec<any>: each codec's own value type is checked where it is defined.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const codecOfType: Record<string, Codec<any>> = { timestamptz: time, jsonb: json, boolean: flag };
  const columns = columnsOf(table);
  const codecs = new Map<string, Codec<unknown>>();
  for (const column of columns) {
    const codec = codecOfType[String(table.options.columns[column]?.type)];
    if (codec) codecs.set(column, codec);
  }
  const plain = (value: unknown) => (value === undefined ? null : value);
  const decoders = columns.map((column) => [column, codecs.get(column)?.decode ?? plain] as const);
  return {
    table: table.options.name,
    columns,
    values: (row, only = columns) => only.map((column) => (codecs.get(column)?.encode ?? plain)(row[column] ?? null)),
    // A loop over the columns' decoders, not Object.fromEntries over [column, value] pairs: a row read three
    // times faster, for every row a load returns (docs/performance.md).
    read: (raw) => {
      const row: Raw = {};
      for (const [column, decode] of decoders) row[column] = decode(raw[column]);
      return row as T;
    },
  };
}

export type Rows = ReturnType<typeof defineRows>;

function defineRows(kind: DialectKind) {
  const pg = tablesFor('postgres');
  return {
    calls: rowCodec(pg.calls, kind),
    operations: rowCodec(pg.operations, kind),
    outbox: rowCodec(pg.outbox, kind),
    inbox: rowCodec(pg.inbox, kind),
    receipts: rowCodec(pg.receipts, kind),
  };
}

const rows: Partial<Record<DialectKind, Rows>> = {};

/** The row codec of every table, reading the given dialect's rows. */
export function rowsFor(kind: DialectKind): Rows {
  return (rows[kind] ??= defineRows(kind));
}
