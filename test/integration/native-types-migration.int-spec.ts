import { DataSource } from 'typeorm';
import type { EntitySchema } from 'typeorm';
import { Call } from '@calls/domain';
import { TEST_OWNER, TEST_PROMPTS, testCallDescription } from '@calls/domain/testing/call.fixtures';
import {
  callRow,
  CallTypeormRepository,
  dataSourceOptions,
  MIGRATIONS,
  operationRow,
  OUTBOX_INSERT_COLUMNS,
  outboxRow,
  OutboxTypeormSource,
  rowsFor,
  SqlDialect,
  tablesFor,
  toCall,
  toOperationProps,
} from '@calls/persistence';
import type { Rows } from '@calls/persistence';
import { toCloudEvent } from '@calls/messaging';
import type { OutboxMessage } from '@calls/messaging';
import request from 'supertest';
import { TEST_DATABASES, TestDatabase } from '../support/test-databases';
import { CREATE_CALL_BODY, OWNER, startTestApp, TestApp } from '../support/test-app';
import { idempotencyOf } from '../../apps/calls-service/src/idempotency/idempotency.decorator';
import type { KeyedRequest } from '../../apps/calls-service/src/idempotency/idempotency.decorator';

/** The migration under test, and every one before it. */
const AT = MIGRATIONS.findIndex((migration) => migration.name === 'NativePostgresTypes1764270000000');
const CONVERSION = MIGRATIONS[AT];
const BEFORE = MIGRATIONS.slice(0, AT);

const owner = TEST_OWNER;
const description = testCallDescription({
  mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig', preFetchMedia: [] },
  source: { identity: { application: { id: 'app-a', displayName: 'Bot' } } },
  targets: [{ identity: { user: { id: 'u1' } } }],
  subject: 'before the migration',
  chatInfo: { threadId: '19:meeting@thread.v2', messageId: '0' },
  callOptions: { '@odata.type': '#microsoft.graph.outgoingCallOptions', isContentSharingNotificationEnabled: true },
});

/** Every representation a row of these tables ever had: Dates or text, JSON or its text, booleans or 0/1. */
const anyTime = (value: unknown) =>
  value === null || value === undefined ? null : value instanceof Date ? value : new Date(String(value));
const anyJson = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : (value ?? null));
const anyFlag = (value: unknown) =>
  value === null || value === undefined ? null : value === true || Number(value) === 1;
const TOLERANT: Record<string, (value: unknown) => unknown> = {
  timestamptz: anyTime,
  jsonb: anyJson,
  boolean: anyFlag,
};

/** A table's rows read from either form, by the native type each column has once converted. */
function tolerantReader<T>(table: EntitySchema<T>): (raw: Record<string, unknown>) => T {
  const columns = Object.entries(table.options.columns) as [string, { type: unknown }][];
  return (raw) =>
    Object.fromEntries(
      columns.map(([column, { type }]) => [column, (TOLERANT[String(type)] ?? ((v) => v ?? null))(raw[column])]),
    ) as T;
}

/** Columns later migrations added (1764290000000): the earlier release never wrote them. */
const ADDED_AFTER_THE_CONVERSION = new Set(['last_tone']);

/**
 * The rows of a call as the earlier release wrote them on either database:
 * text ids, ISO-8601 text times, JSON text, 0/1 flags (the SQLite forms, which
 * the text columns of PostgreSQL held too before the conversion). This
 * release writes only the converted schema, so the test writes these itself.
 */
async function legacySave(source: DataSource, call: Call): Promise<void> {
  const legacy: Rows = rowsFor('sqlite');
  const dialect = new SqlDialect(source.options.type === 'postgres' ? 'postgres' : 'sqlite');
  const props = call.snapshot();
  const upsert = (columns: readonly string[]) => columns.map((column) => `${column} = excluded.${column}`).join(', ');
  const insert = async (table: string, columns: readonly string[], rows: unknown[][], conflict: string) => {
    if (rows.length === 0) return;
    const q = dialect.sql();
    await source.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${q.rows(rows)} ${conflict}`, q.params);
  };
  const { calls, operations, outbox } = legacy;
  const callColumns = calls.columns.filter((column) => !ADDED_AFTER_THE_CONVERSION.has(column));
  await insert(
    'calls',
    callColumns,
    [calls.values(callRow(props, props.version + 1), callColumns)],
    `ON CONFLICT (id) DO UPDATE SET ${upsert(callColumns)}`,
  );
  await insert(
    'media_operations',
    operations.columns,
    call.changedOperations().map((op) => operations.values(operationRow(op.snapshot()))),
    `ON CONFLICT (id) DO UPDATE SET ${upsert(operations.columns)}`,
  );
  const events = call.getUncommittedEvents().map((event) => outboxRow(event, props.description.callbackUri, {}));
  await insert(
    'outbox',
    OUTBOX_INSERT_COLUMNS,
    events.map((row) => outbox.values(row, OUTBOX_INSERT_COLUMNS)),
    '',
  );
  call.markPersisted();
  call.uncommit();
}

/**
 * Fills a database through the earlier migrations, as the earlier release
 * wrote it, converts it with the native-types migration, and reads every row
 * back equal, and the calls through this release's repository; then undoes
 * it and reads them equal again. On SQLite the conversion only drops the
 * unused column, and the rows must survive the table rebuild that takes.
 */
describe.each(TEST_DATABASES)('the native-types migration on %s', (_kind, create) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const callIds: string[] = [];

  beforeAll(async () => {
    database = await create();
    dataSource = await new DataSource({ ...dataSourceOptions(database.settings), migrations: BEFORE }).initialize();
    await fill(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  async function fill(source: DataSource): Promise<void> {
    const calls = { save: (call: Call) => legacySave(source, call) };
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 9, minute, 1, 234));
    // Queued and running prompts, a recording, and a tone subscription (the flag).
    const busy = Call.create(owner, description, at(0));
    busy.establish(at(1));
    busy.playPrompt(TEST_PROMPTS, 'first', at(2));
    busy.recordResponse(
      TEST_PROMPTS,
      {
        bargeInAllowed: false,
        initialSilenceTimeoutInSeconds: 5,
        maxSilenceTimeoutInSeconds: 5,
        maxRecordDurationInSeconds: 10,
        playBeep: true,
        stopTones: ['#'],
      },
      'second',
      at(3),
    );
    busy.subscribeToTone('tones', at(4));
    await calls.save(busy);
    // Cancelled prompts and the cancel that lists them.
    const cancelled = Call.create(owner, description, at(5));
    cancelled.establish(at(6));
    cancelled.playPrompt(TEST_PROMPTS, 'a', at(7));
    cancelled.playPrompt(TEST_PROMPTS, 'b', at(8));
    await calls.save(cancelled);
    cancelled.cancelMediaProcessing('stop', at(9), { scope: 'all' });
    await calls.save(cancelled);
    // A prompt that completed, then the call hung up.
    const ended = Call.create(owner, testCallDescription(), at(10));
    ended.establish(at(11));
    const prompt = ended.playPrompt(TEST_PROMPTS, null, at(12));
    ended.reportCompleted(prompt.id, at(13));
    ended.hangUp(at(14));
    await calls.save(ended);
    callIds.push(busy.id, cancelled.id, ended.id);

    // Published outbox rows (everything so far), then unpublished ones (a keepAlive is not an event: a hang-up is).
    const relay = new OutboxTypeormSource(source);
    const published: OutboxMessage[] = [];
    while ((await relay.publishNext(100, async (messages) => void published.push(...messages))) > 0);
    const later = Call.create(owner, description, at(15));
    later.establish(at(16));
    await calls.save(later);
    callIds.push(later.id);

    // The notifier's inbox, in each state: delivered, retrying, dead and pending, as the earlier release wrote it.
    const inbox = rowsFor('sqlite').inbox;
    const states = ['delivered', 'retrying', 'dead'];
    const columns = inbox.columns.filter((column) => column !== 'position');
    const q = new SqlDialect(source.options.type === 'postgres' ? 'postgres' : 'sqlite').sql();
    const inboxRows = published.map((message, i) => {
      const state = states[i] ?? 'pending';
      const finished = state === 'delivered' || state === 'dead';
      return inbox.values(
        {
          event_id: message.id,
          call_id: message.callId,
          event: toCloudEvent(message) as unknown as Record<string, unknown>,
          status: state === 'retrying' ? 'pending' : state,
          attempts: state === 'pending' ? 0 : 1,
          next_attempt_at: state === 'retrying' ? at(40) : at(19),
          first_attempt_at: state === 'pending' ? null : at(20),
          claimed_until: null,
          last_error:
            state === 'retrying' ? 'callback answered 503' : state === 'dead' ? 'callback answered 410' : null,
          received_at: at(19),
          finished_at: finished ? at(21) : null,
        },
        columns,
      );
    });
    await source.query(`INSERT INTO notifier_inbox (${columns.join(', ')}) VALUES ${q.rows(inboxRows)}`, q.params);

    // Idempotency keys (the table the command receipts later replace), as the earlier release wrote them.
    const k = new SqlDialect(source.options.type === 'postgres' ? 'postgres' : 'sqlite').sql();
    const key = (name: string, status: string, body: unknown) => [
      owner.tenantId,
      owner.appId,
      name,
      name.charAt(0).repeat(64),
      status,
      body === null ? null : 200,
      body === null ? null : JSON.stringify(body),
      null,
      at(30).toISOString(),
      at(50).toISOString(),
    ];
    await source.query(
      `INSERT INTO idempotency_keys (tenant_id, app_id, idempotency_key, request_hash, status, response_status,
         response_body, response_location, locked_until, expires_at)
       VALUES ${k.rows([key('answered', 'done', { '@odata.type': '#microsoft.graph.cancelMediaProcessingOperation', status: 'completed' }), key('pending', 'pending', null)])}`,
      k.params,
    );
  }

  /** Every row of every table, read in whichever form the columns hold. */
  async function everything(source: DataSource) {
    const tables = tablesFor('postgres');
    const rows = async <T>(table: EntitySchema<T>, order: string) => {
      const read = tolerantReader(table);
      const raw: Record<string, unknown>[] = await source.query(
        `SELECT * FROM ${table.options.name} ORDER BY ${order}`,
      );
      return raw.map(read);
    };
    return {
      calls: await rows(tables.calls, 'created_at'),
      mediaOperations: await rows(tables.operations, 'created_at, sequence'),
      outbox: await rows(tables.outbox, 'position'),
      inbox: await rows(tables.inbox, 'position'),
      idempotency: (
        (await source.query('SELECT * FROM idempotency_keys ORDER BY idempotency_key')) as Record<string, unknown>[]
      ).map((row): Record<string, unknown> => ({
        ...row,
        response_body: anyJson(row.response_body),
        locked_until: anyTime(row.locked_until),
        expires_at: anyTime(row.expires_at),
      })),
    };
  }

  /** This release's repository on the converted schema: each call and its operations as the rows say. */
  async function expectLoadsOf(source: DataSource, rows: Awaited<ReturnType<typeof everything>>): Promise<void> {
    const calls = new CallTypeormRepository(source);
    for (const id of callIds) {
      const operations = rows.mediaOperations.filter((op) => op.call_id === id);
      const active = operations.filter((op) => op.status === 'notStarted' || op.status === 'running');
      const expected = toCall(
        rows.calls.find((call) => call.id === id)!,
        active,
      );
      const loaded = await calls.findById(id);
      expect({ state: loaded?.snapshot(), queue: loaded?.queue().map((op) => op.snapshot()) }).toEqual({
        state: expected.snapshot(),
        queue: expected.queue().map((op) => op.snapshot()),
      });
      expect(await calls.listOperations(owner, id, { afterSequence: 0, limit: 100 })).toEqual(
        [...operations].sort((a, b) => a.sequence - b.sequence).map(toOperationProps),
      );
    }
  }

  it('keeps every row, equal, and undoes cleanly', async () => {
    const before = await everything(dataSource);
    expect(before.calls).toHaveLength(4);
    expect(before.calls[0].tone_subscribed).toBe(true);
    expect(before.mediaOperations.map((op) => op.status)).toEqual(
      expect.arrayContaining(['running', 'notStarted', 'failed', 'completed']),
    );
    expect(new Set(before.outbox.map((row) => row.published_at === null))).toEqual(new Set([true, false]));
    expect(before.inbox.map((row) => row.status)).toEqual(expect.arrayContaining(['delivered', 'dead', 'pending']));
    expect(before.idempotency.map((row) => row.status)).toEqual(['done', 'pending']);

    await dataSource.destroy();
    dataSource = await new DataSource({
      ...dataSourceOptions(database.settings),
      migrations: [...BEFORE, CONVERSION],
      migrationsRun: false,
    }).initialize();
    const applied = await dataSource.runMigrations({ transaction: 'all' });
    expect(applied.map((migration) => migration.name)).toEqual([new CONVERSION().name]);
    expect(await everything(dataSource)).toEqual(before);
    await expectLoadsOf(dataSource, before);

    await dataSource.undoLastMigration({ transaction: 'all' });
    expect(await everything(dataSource)).toEqual(before);
  });
});

/**
 * What earlier releases stored, read after the upgrade. A retry: keys the
 * previous release stored (an answered one, one whose request never
 * finished, an expired one) are carried by 1764280000000 into receipts, and
 * the service replays the answered one as it was first sent. A cancel made
 * before 1764260000000, when nothing recorded how long media had played:
 * its operations answer without `playedDuration` (unknown), not `PT0S`.
 */
describe.each(TEST_DATABASES)('what the previous releases stored, after the upgrade on %s', (_kind, create) => {
  const DROP = MIGRATIONS.findIndex((migration) => migration.name === 'DropIdempotencyKeys1764280000000');
  const body = { ...CREATE_CALL_BODY, subject: 'before the upgrade' };
  const firstAnswer = {
    '@odata.type': '#microsoft.graph.call',
    id: '2f0a9c4e-0d1b-4a35-9a43-5f7c2f3e9b10',
    state: 'establishing',
  };
  const location = 'https://calls.example.test/communications/calls/2f0a9c4e-0d1b-4a35-9a43-5f7c2f3e9b10';
  let database: TestDatabase;
  let service: TestApp | undefined;
  let auth: string;
  let fingerprint: string;
  let cancelled: { callId: string; cancelId: string; promptIds: string[] };

  beforeAll(async () => {
    database = await create();
    const before = await new DataSource({
      ...dataSourceOptions(database.settings),
      migrations: MIGRATIONS.slice(0, DROP),
    }).initialize();
    fingerprint = idempotencyOf({
      method: 'POST',
      url: '/communications/calls',
      headers: { 'idempotency-key': 'x' },
      body,
    } as unknown as KeyedRequest)!.fingerprint;
    await storeKeys(before);
    cancelled = await storeEarlyCancel(before);
    await before.destroy();

    // The upgrade: the service runs the remaining migrations as it starts (the embedded default).
    service = await startTestApp(database);
    auth = `Bearer ${service.token()}`;
  });

  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  async function storeKeys(before: DataSource): Promise<void> {
    const q = SqlDialect.of(before).sql();
    const at = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
    const key = (name: string, status: string, answer: unknown, expires: string) => [
      OWNER.tenantId,
      OWNER.appId,
      name,
      fingerprint,
      status,
      answer === null ? null : 201,
      answer === null ? null : JSON.stringify(answer),
      answer === null ? null : location,
      at(-1),
      expires,
    ];
    await before.query(
      `INSERT INTO idempotency_keys (tenant_id, app_id, idempotency_key, request_hash, status, response_status,
         response_body, response_location, locked_until, expires_at)
       VALUES ${q.rows([key('answered', 'done', firstAnswer, at(60)), key('unfinished', 'pending', null, at(60)), key('expired', 'done', firstAnswer, at(-5))])}`,
      q.params,
    );
  }

  /**
   * A call whose running and queued prompts were cancelled, its rows then
   * set to what the release before 1764260000000 left: no played_duration_ms
   * (the column came later, nullable) and cancel refs without playedDurationMs.
   */
  async function storeEarlyCancel(before: DataSource) {
    const call = Call.create(OWNER, testCallDescription(), new Date());
    call.establish(new Date());
    const prompts = [call.playPrompt(TEST_PROMPTS, 'a', new Date()), call.playPrompt(TEST_PROMPTS, 'b', new Date())];
    const cancel = call.cancelMediaProcessing('stop', new Date(), { scope: 'all' });
    // This release's repository writes calls.last_tone, which a later migration adds: the old schema
    // lends it the column while the call is written, and the upgrade below adds it for real.
    await before.query('ALTER TABLE calls ADD COLUMN last_tone varchar(8)');
    await new CallTypeormRepository(before).save(call);
    await before.query('ALTER TABLE calls DROP COLUMN last_tone');
    const refs = cancel.snapshot().cancelledOperations!.map(({ playedDurationMs: _unknown, ...ref }) => ref);
    const dialect = SqlDialect.of(before);
    const forget = dialect.sql();
    await before.query(
      `UPDATE media_operations SET played_duration_ms = NULL WHERE call_id = ${forget.param(call.id)}`,
      forget.params,
    );
    const early = dialect.sql();
    await before.query(
      `UPDATE media_operations SET cancelled_operations = ${early.param(JSON.stringify(refs))} WHERE id = ${early.param(cancel.id)}`,
      early.params,
    );
    return { callId: call.id, cancelId: cancel.id, promptIds: prompts.map((prompt) => prompt.id) };
  }

  it('replays a stored answer, and runs again a key that had none', async () => {
    const retry = (name: string) =>
      request(service!.url)
        .post('/communications/calls')
        .set('Authorization', auth)
        .set('Idempotency-Key', name)
        .send(body);

    const replayed = await retry('answered');
    expect({
      status: replayed.status,
      body: replayed.body,
      location: replayed.headers.location,
      replayed: replayed.headers['idempotent-replayed'],
    }).toEqual({ status: 201, body: firstAnswer, location, replayed: 'true' });

    for (const name of ['unfinished', 'expired']) {
      const again = await retry(name);
      expect(again.status).toBe(201);
      expect(again.body.id).not.toBe(firstAnswer.id);
      expect(again.headers['idempotent-replayed']).toBeUndefined();
    }
  });

  it('answers an operation cancelled before playedDuration was recorded without one, not PT0S', async () => {
    const get = async (operationId: string) => {
      const response = await request(service!.url)
        .get(`/communications/calls/${cancelled.callId}/operations/${operationId}`)
        .set('Authorization', auth);
      expect(response.status).toBe(200);
      return response.body as Record<string, unknown> & { cancelledOperations?: Record<string, unknown>[] };
    };
    const cancel = await get(cancelled.cancelId);
    expect(cancel.cancelledOperations?.map((ref) => ({ id: ref.id, previousStatus: ref.previousStatus }))).toEqual([
      { id: cancelled.promptIds[0], previousStatus: 'running' },
      { id: cancelled.promptIds[1], previousStatus: 'notStarted' },
    ]);
    expect(cancel.cancelledOperations?.filter((ref) => 'playedDuration' in ref)).toEqual([]);
    for (const promptId of cancelled.promptIds) {
      const prompt = await get(promptId);
      expect({ status: prompt.status, playedDuration: 'playedDuration' in prompt }).toEqual({
        status: 'failed',
        playedDuration: false,
      });
    }
  });
});
