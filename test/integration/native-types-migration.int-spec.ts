import { DataSource } from 'typeorm';
import { Call } from '@calls/domain';
import { TEST_OWNER, TEST_PROMPTS, testCallDescription } from '@calls/domain/testing/call.fixtures';
import {
  CallTypeormRepository,
  dataSourceOptions,
  json,
  MIGRATIONS,
  NotificationInboxTypeormStore,
  OutboxTypeormSource,
  ROWS,
  SqlDialect,
  time,
} from '@calls/persistence';
import { toCloudEvent } from '@calls/messaging';
import type { OutboxMessage } from '@calls/messaging';
import { TEST_DATABASES, TestDatabase } from '../support/test-databases';

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

/**
 * Fills a database through the earlier migrations and the adapters, as a
 * running release writes it, converts it with the native-types migration, and
 * reads every row back equal; then undoes it and reads them equal again. On
 * SQLite the conversion only drops the unused column, and the rows must
 * survive the table rebuild that takes.
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
    const calls = new CallTypeormRepository(source);
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

    // The notifier's inbox, in each state: delivered, retrying, dead, claimed and pending (one per call at a time).
    const inbox = new NotificationInboxTypeormStore(source);
    expect(await inbox.accept(published.map((message) => toCloudEvent(message)))).toBe(published.length);
    for (const item of await inbox.claimDue(10, new Date(), 60_000)) await inbox.markDone(item, 'delivered', at(20));
    const [retry, dead] = await inbox.claimDue(10, new Date(), 60_000);
    await inbox.scheduleRetry(retry, at(40), 'callback answered 503', at(21));
    await inbox.markDead(dead, 'callback answered 410', at(22));

    // Idempotency keys (the table the command receipts later replace), as the earlier release wrote them.
    const q = new SqlDialect(source.options.type === 'postgres' ? 'postgres' : 'sqlite').sql();
    const key = (name: string, status: string, body: unknown) => [
      owner.tenantId,
      owner.appId,
      name,
      name.charAt(0).repeat(64),
      status,
      body === null ? null : 200,
      json.encode(body),
      null,
      time.encode(at(30)),
      time.encode(at(50)),
    ];
    await source.query(
      `INSERT INTO idempotency_keys (tenant_id, app_id, idempotency_key, request_hash, status, response_status,
         response_body, response_location, locked_until, expires_at)
       VALUES ${q.rows([key('answered', 'done', { '@odata.type': '#microsoft.graph.cancelMediaProcessingOperation', status: 'completed' }), key('pending', 'pending', null)])}`,
      q.params,
    );
  }

  /** Everything a release reads: the calls as the repository loads them, and every row of every table. */
  async function everything(source: DataSource) {
    const calls = new CallTypeormRepository(source);
    const rows = async <T>(codec: { table: string; read(raw: Record<string, unknown>): T }, order: string) =>
      ((await source.query(`SELECT * FROM ${codec.table} ORDER BY ${order}`)) as Record<string, unknown>[]).map(
        codec.read,
      );
    return {
      loaded: await Promise.all(
        callIds.map(async (id) => {
          const call = await calls.findById(id);
          return { state: call?.snapshot(), queue: call?.queue().map((op) => op.snapshot()) };
        }),
      ),
      operations: await Promise.all(
        callIds.map((id) => calls.listOperations(owner, id, { afterSequence: 0, limit: 100 })),
      ),
      calls: await rows(ROWS.calls, 'created_at'),
      mediaOperations: await rows(ROWS.operations, 'created_at, sequence'),
      outbox: await rows(ROWS.outbox, 'position'),
      inbox: await rows(ROWS.inbox, 'position'),
      idempotency: (
        (await source.query('SELECT * FROM idempotency_keys ORDER BY idempotency_key')) as Record<string, unknown>[]
      ).map((row): Record<string, unknown> => ({
        ...row,
        response_body: json.decode(row.response_body),
        locked_until: time.decode(row.locked_until),
        expires_at: time.decode(row.expires_at),
      })),
    };
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

    await dataSource.undoLastMigration({ transaction: 'all' });
    expect(await everything(dataSource)).toEqual(before);
  });
});
