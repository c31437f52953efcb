import { DataSource, Logger as TypeormLogger } from 'typeorm';
import { Call, ConcurrencyConflictError, RESULT_CANCELLED } from '@calls/domain';
import { ReceiptRecordedError } from '@calls/application';
import { TEST_OWNER, TEST_PROMPTS, testCallDescription } from '@calls/domain/testing/call.fixtures';
import { CallTypeormRepository, dataSourceOptions, OutboxTypeormSource, tablesFor } from '@calls/persistence';
import type { OutboxRow } from '@calls/persistence';
import type { OutboxMessage } from '@calls/messaging';
import { TEST_DATABASES, TestDatabase } from '../support/test-databases';

/** Counts the statements a piece of work sends, to prove round trips do not grow with the queue. */
class CountingLogger implements TypeormLogger {
  statements = 0;
  logQuery(query: string): void {
    if (!/^(BEGIN|COMMIT|START TRANSACTION)/i.test(query)) this.statements += 1;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

const owner = TEST_OWNER;
const prompts = TEST_PROMPTS;
const description = testCallDescription({
  mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
  source: { identity: { application: { id: 'app-a' } } },
  targets: [{ identity: { user: { id: 'u1' } } }],
  subject: 'support line',
});

describe.each(TEST_DATABASES)('CallTypeormRepository on %s', (_kind, create) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let repository: CallTypeormRepository;
  const logger = new CountingLogger();

  beforeAll(async () => {
    database = await create();
    dataSource = new DataSource({ ...dataSourceOptions(database.settings), logging: ['query'], logger });
    await dataSource.initialize();
    repository = new CallTypeormRepository(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  /** The outbox rows of a call, in write order. */
  /** The outbox rows of a call, in write order, read through the outbox's table definition. */
  function outboxOf(callId: string): Promise<OutboxRow[]> {
    return dataSource
      .getRepository(tablesFor(database.kind).outbox)
      .find({ where: { aggregate_id: callId }, order: { position: 'ASC' } });
  }

  async function storedCall(queued: number): Promise<{ call: Call; ids: string[] }> {
    const call = Call.create(owner, description, new Date());
    call.establish(new Date());
    const ids = Array.from({ length: queued }, () => call.playPrompt(prompts, 'q', new Date()).id);
    await repository.save(call);
    return { call, ids };
  }

  it('stores a new call and loads it back for its owner only', async () => {
    const { call, ids } = await storedCall(2);
    const loaded = await repository.findOwned(owner, call.id);
    expect(loaded?.snapshot()).toMatchObject({
      id: call.id,
      state: 'established',
      version: 1,
      description,
      operationSequence: 2,
    });
    expect(loaded?.queue().map((op) => [op.id, op.status])).toEqual([
      [ids[0], 'running'],
      [ids[1], 'notStarted'],
    ]);
    expect(await repository.findOwned({ tenantId: 'tenant-b', appId: 'app-a' }, call.id)).toBeNull();
    expect(await repository.findOwned({ tenantId: 'tenant-a', appId: 'app-b' }, call.id)).toBeNull();
    expect(await repository.findOperation({ tenantId: 'tenant-b', appId: 'app-a' }, call.id, ids[0])).toBeNull();
  });

  it('stores a cancel: the ended operations, the cancel operation and its outbox rows, in order', async () => {
    const { call, ids } = await storedCall(3);
    const before = await Promise.all(ids.map((id) => repository.findOperation(owner, call.id, id)));
    const loaded = (await repository.findOwned(owner, call.id))!;
    const cancel = loaded.cancelMediaProcessing('stop', new Date());
    await repository.save(loaded);

    for (const [i, id] of ids.entries()) {
      const { kind, sequence, clientContext, parameters, createdAt, startedAt } = before[i]!;
      // What a cancel changes, and what it leaves (on PostgreSQL a stored operation's save sends only the former).
      expect(await repository.findOperation(owner, call.id, id)).toMatchObject({
        status: 'failed',
        resultInfo: RESULT_CANCELLED,
        endedAt: expect.any(Date),
        ...{ kind, sequence, clientContext, parameters, createdAt, startedAt },
      });
    }
    expect(await repository.findOperation(owner, call.id, cancel.id)).toMatchObject({
      kind: 'cancelMediaProcessing',
      status: 'completed',
      clientContext: 'stop',
      cancelledOperations: ids.map((id, i) =>
        expect.objectContaining({ id, previousStatus: i === 0 ? 'running' : 'notStarted' }),
      ),
    });
    const outbox = await outboxOf(call.id);
    expect(outbox.map((row) => row.type)).toEqual([
      'calls.v1.call.created',
      'calls.v1.call.established',
      ...ids.flatMap((_, i) =>
        i === 0
          ? ['calls.v1.mediaOperation.queued', 'calls.v1.mediaOperation.started']
          : ['calls.v1.mediaOperation.queued'],
      ),
      'calls.v1.mediaOperation.ended',
      'calls.v1.mediaOperation.ended',
      'calls.v1.mediaOperation.ended',
      'calls.v1.mediaProcessing.cancelled',
    ]);
    expect(outbox.every((row) => row.published_at === null)).toBe(true);
    const ref = { callId: call.id, tenantId: owner.tenantId, appId: owner.appId, callbackUri: description.callbackUri };
    expect(outbox.at(-4)!.payload).toEqual({
      ...ref,
      operation: {
        '@odata.type': '#microsoft.graph.playPromptOperation',
        id: ids[0],
        status: 'failed',
        clientContext: 'q',
        resultInfo: { '@odata.type': '#microsoft.graph.resultInfo', ...RESULT_CANCELLED },
        playedDuration: expect.stringMatching(/^PT\d+(\.\d+)?S$/),
      },
    });
    expect(outbox.at(-1)!.payload).toEqual({
      ...ref,
      cancelOperation: { id: cancel.id, clientContext: 'stop' },
      cancelledOperations: ids.map((id, i) => ({
        id,
        kind: 'playPrompt',
        clientContext: 'q',
        previousStatus: i === 0 ? 'running' : 'notStarted',
        playedDurationMs: i === 0 ? expect.any(Number) : 0,
      })),
    });
  });

  it('refuses a save on a stale version and writes none of its rows', async () => {
    const { call } = await storedCall(1);
    const first = (await repository.findOwned(owner, call.id))!;
    const second = (await repository.findOwned(owner, call.id))!;
    first.cancelMediaProcessing('first', new Date());
    await repository.save(first);
    const staleCancel = second.cancelMediaProcessing('second', new Date());
    const outboxBefore = (await outboxOf(call.id)).length;

    await expect(repository.save(second)).rejects.toBeInstanceOf(ConcurrencyConflictError);

    expect(await repository.findOperation(owner, call.id, staleCancel.id)).toBeNull();
    expect(await outboxOf(call.id)).toHaveLength(outboxBefore);
  });

  describe('with a command receipt', () => {
    const receipt = (key: string, result: unknown, at = new Date()) => ({
      owner,
      key,
      fingerprint: 'f'.repeat(64),
      result,
      createdAt: at,
      expiresAt: new Date(at.getTime() + 60_000),
    });

    it('writes the receipt with the call’s changes, and finds it until it expires', async () => {
      const { call } = await storedCall(1);
      const loaded = (await repository.findOwned(owner, call.id))!;
      const cancel = loaded.cancelMediaProcessing('c', new Date());
      const now = new Date();
      await repository.saveWithReceipt(loaded, receipt(`k-${call.id}`, { id: cancel.id, nested: [1, 'two'] }, now));

      expect(await repository.find(owner, `k-${call.id}`, now)).toEqual({
        fingerprint: 'f'.repeat(64),
        result: { id: cancel.id, nested: [1, 'two'] },
      });
      expect(await repository.find({ ...owner, appId: 'app-b' }, `k-${call.id}`, now)).toBeNull();
      expect(await repository.find(owner, `k-${call.id}`, new Date(now.getTime() + 60_000))).toBeNull();
      expect((await repository.findOperation(owner, call.id, cancel.id))?.status).toBe('completed');
    });

    it('writes none of the call’s rows when the key already has a live receipt', async () => {
      const { call } = await storedCall(1);
      const first = (await repository.findOwned(owner, call.id))!;
      first.keepAlive(new Date());
      await repository.saveWithReceipt(first, receipt(`dup-${call.id}`, null));
      const second = (await repository.findOwned(owner, call.id))!;
      const lost = second.cancelMediaProcessing('lost', new Date());
      const outboxBefore = (await outboxOf(call.id)).length;

      await expect(repository.saveWithReceipt(second, receipt(`dup-${call.id}`, null))).rejects.toBeInstanceOf(
        ReceiptRecordedError,
      );

      expect(await repository.findOperation(owner, call.id, lost.id)).toBeNull();
      expect(await outboxOf(call.id)).toHaveLength(outboxBefore);
      expect((await repository.findOwned(owner, call.id))!.snapshot().version).toBe(second.snapshot().version);
    });

    it('writes no receipt when the call’s save loses to a concurrent change', async () => {
      const { call } = await storedCall(1);
      const first = (await repository.findOwned(owner, call.id))!;
      const second = (await repository.findOwned(owner, call.id))!;
      first.keepAlive(new Date());
      await repository.save(first);
      second.cancelMediaProcessing('stale', new Date());

      await expect(repository.saveWithReceipt(second, receipt(`stale-${call.id}`, null))).rejects.toBeInstanceOf(
        ConcurrencyConflictError,
      );
      expect(await repository.find(owner, `stale-${call.id}`, new Date())).toBeNull();
    });

    it('takes over an expired receipt of the key, and prunes expired ones', async () => {
      const { call } = await storedCall(0);
      const long = new Date(Date.now() - 120_000);
      const loaded = (await repository.findOwned(owner, call.id))!;
      loaded.keepAlive(long);
      await repository.saveWithReceipt(loaded, receipt(`old-${call.id}`, { run: 'first' }, long));
      const again = (await repository.findOwned(owner, call.id))!;
      again.keepAlive(new Date());
      await repository.saveWithReceipt(again, receipt(`old-${call.id}`, { run: 'second' }));
      expect((await repository.find(owner, `old-${call.id}`, new Date()))?.result).toEqual({ run: 'second' });

      expect(await repository.pruneExpired(new Date(Date.now() + 61_000), 1000)).toBeGreaterThanOrEqual(1);
      expect(await repository.find(owner, `old-${call.id}`, new Date())).toBeNull();
    });
  });

  it('sends as many statements for a cancel of 2 queued operations as for 40: two on PostgreSQL', async () => {
    const counts: number[] = [];
    for (const queued of [2, 40]) {
      const { call } = await storedCall(queued);
      logger.statements = 0;
      const loaded = (await repository.findOwned(owner, call.id))!;
      loaded.cancelMediaProcessing(null, new Date());
      await repository.save(loaded);
      counts.push(logger.statements);
    }
    expect(counts[0]).toBe(counts[1]);
    // PostgreSQL: one load (the call with its open operations) and one save (every write as CTEs), no BEGIN/COMMIT.
    // SQLite: load call + active operations; save call update, operations upsert, outbox insert.
    expect(counts[0]).toBe(database.kind === 'postgres' ? 2 : 5);
  });

  it('loads the calls asked for in one turn with one statement on PostgreSQL, each for its owner and each its own', async () => {
    const a = await storedCall(1);
    const b = await storedCall(2);
    const c = await storedCall(0);
    const stranger = { tenantId: 'tenant-b', appId: owner.appId };
    logger.statements = 0;
    const [first, second, notMine, missing, again, upper, anyOwner] = await Promise.all([
      repository.findOwned(owner, a.call.id),
      repository.findOwned(owner, b.call.id),
      repository.findOwned(stranger, c.call.id),
      repository.findOwned(owner, '00000000-0000-4000-8000-000000000000'),
      repository.findOwned(owner, a.call.id),
      repository.findOwned(owner, b.call.id.toUpperCase()),
      repository.findById(c.call.id),
    ]);
    // SQLite: each load alone, the call's row and then, when there is one, its operations (7 loads, 4 found).
    expect(logger.statements).toBe(database.kind === 'postgres' ? 1 : 11);
    expect(first?.queue().map((op) => op.id)).toEqual(a.ids);
    expect(second?.queue().map((op) => op.id)).toEqual(b.ids);
    // PostgreSQL's uuid takes either case; SQLite's text ids are the service's own lowercase ones.
    expect(upper?.id).toBe(database.kind === 'postgres' ? b.call.id : undefined);
    expect(notMine).toBeNull();
    expect(missing).toBeNull();
    expect(anyOwner?.id).toBe(c.call.id);
    // Two loads of one call are two aggregates that share nothing they could change under each other.
    expect(again?.snapshot()).toEqual(first?.snapshot());
    expect(again?.snapshot().description).not.toBe(first?.snapshot().description);
    expect(again?.queue()[0]).not.toBe(first?.queue()[0]);
  });

  it('on PostgreSQL, runs the load and the save as named prepared statements, parsed once per connection', async () => {
    if (database.kind !== 'postgres') return expect(database.kind).toBe('sqlite');
    // One connection, so the prepared statements this reads are the ones the command used.
    const single = new DataSource({ ...dataSourceOptions({ ...database.settings, poolSize: 1 }) });
    await single.initialize();
    try {
      const onOne = new CallTypeormRepository(single);
      for (let round = 0; round < 2; round++) {
        const { call } = await storedCall(2);
        const loaded = (await onOne.findOwned(owner, call.id))!;
        loaded.cancelMediaProcessing(null, new Date());
        await onOne.save(loaded);
      }
      const prepared: { name: string; statement: string }[] = await single.query(
        `SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'calls\\_%' ORDER BY statement`,
      );
      // Two commands, the same two texts: prepared once each on this connection, not once per command.
      expect(prepared).toHaveLength(2);
      expect(prepared.map((p) => p.statement).join('\n')).toMatch(/FROM calls c WHERE[\s\S]*UPDATE calls/);
    } finally {
      await single.destroy();
    }
  });

  it('answers what each save wrote, held for this process when the call has nothing unpublished (PostgreSQL)', async () => {
    const handed: { ids: string[]; direct: boolean }[] = [];
    const withHold = new CallTypeormRepository(dataSource, { holdMs: 60_000 });
    const save = async (call: Call) => {
      const saved = await withHold.save(call);
      handed.push({ ids: (saved.messages as OutboxMessage[]).map((m) => m.id), direct: saved.held });
    };
    const call = Call.create(owner, description, new Date());
    call.establish(new Date());
    await save(call);
    const first = await outboxOf(call.id);
    const postgres = database.kind === 'postgres';
    expect(handed).toEqual([{ ids: first.map((row) => row.id), direct: postgres }]);
    // Held rows are left to this process for the hold; the relay may take the others at once.
    for (const row of first) {
      if (postgres) expect(row.relay_after!.getTime()).toBeGreaterThan(Date.now() + 50_000);
      else expect(row.relay_after).toBeNull();
    }

    // Its first events still unpublished: the next save's go behind them, through the relay.
    const loaded = (await withHold.findOwned(owner, call.id))!;
    loaded.playPrompt(prompts, 'second', new Date());
    await save(loaded);
    const second = (await outboxOf(call.id)).slice(first.length);
    expect(handed[1]).toEqual({ ids: second.map((row) => row.id), direct: false });
    expect(second.every((row) => row.relay_after === null)).toBe(true);

    // Once everything is published, direct again.
    await new OutboxTypeormSource(dataSource).markPublished([...first, ...second].map((row) => row.id));
    const again = (await withHold.findOwned(owner, call.id))!;
    again.cancelMediaProcessing(null, new Date());
    await save(again);
    expect(handed[2].direct).toBe(postgres);
  });

  it('releases held rows to the relay, and only unpublished ones', async () => {
    const withHold = new CallTypeormRepository(dataSource, { holdMs: 60_000 });
    const call = Call.create(owner, description, new Date());
    call.establish(new Date());
    await withHold.save(call);
    const [first, ...rest] = await outboxOf(call.id);
    const source = new OutboxTypeormSource(dataSource);
    await source.markPublished([first.id]);
    await source.releaseHeld([first.id, ...rest.map((row) => row.id)]);
    const after = await outboxOf(call.id);
    expect(after.map((row) => row.relay_after === null)).toEqual([
      database.kind !== 'postgres', // published: its hold no longer matters and is left as it was
      ...rest.map(() => true),
    ]);
  });
});
