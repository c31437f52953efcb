import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { DataSource } from 'typeorm';
import { Call } from '@calls/domain';
import { TEST_OWNER, TEST_PROMPTS, testCallDescription } from '@calls/domain/testing/call.fixtures';
import {
  CALLS_V1,
  CLOUDEVENTS_JSON,
  OutboxRelay,
  OutboxRelayHost,
  outboxHold,
  RabbitMqPublisher,
  toCloudEvent,
} from '@calls/messaging';
import type { CallsCloudEvent } from '@calls/messaging';
import { CallTypeormRepository, dataSourceOptions, OutboxTypeormSource, SqlBuilder } from '@calls/persistence';
import { brokerConnected } from '@calls/runtime';
import { AMQP_URL, ExchangeRecorder, privateExchange } from '../support/rabbitmq';
import { TcpProxy } from '../support/tcp-proxy';
import { until } from '../support/waits';
import { createPostgresDatabase, TestDatabase } from '../support/test-databases';

const owner = TEST_OWNER;
const description = testCallDescription();
const prompts = TEST_PROMPTS;
const settings = { batchSize: 50, pollIntervalMs: 50, maxBackoffMs: 400 };

describe('outbox relay to RabbitMQ (PostgreSQL, RabbitMQ)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let repository: CallTypeormRepository;
  let exchange: string;
  let recorder: ExchangeRecorder;
  const closers: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    database = await createPostgresDatabase();
    dataSource = await new DataSource(dataSourceOptions(database.settings)).initialize();
    repository = new CallTypeormRepository(dataSource);
  });

  beforeEach(async () => {
    exchange = privateExchange('relay');
    recorder = new ExchangeRecorder(exchange);
    await recorder.start();
    await dataSource.query('DELETE FROM outbox');
  });

  afterEach(async () => {
    while (closers.length) await closers.pop()!();
    await recorder.stop();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  function publisher(url = AMQP_URL): RabbitMqPublisher {
    const created = new RabbitMqPublisher({ url, exchange, timeoutMs: 2000 });
    closers.push(() => created.close());
    return created;
  }

  /** What `broker_connected` says of the relay's connection to this test's exchange. */
  async function connectedGauge(): Promise<number | undefined> {
    const { values } = await brokerConnected.get();
    return values.find((v) => v.labels.role === 'publish' && v.labels.target === exchange)?.value;
  }

  async function unpublishedIds(): Promise<string[]> {
    const rows: { id: string }[] = await dataSource.query('SELECT id FROM outbox WHERE published_at IS NULL');
    return rows.map((row) => row.id);
  }

  async function allOutboxIds(): Promise<string[]> {
    const rows: { id: string }[] = await dataSource.query('SELECT id FROM outbox ORDER BY position');
    return rows.map((row) => row.id);
  }

  /** A call with three prompts queued and then cancelled: 10 events. */
  async function cancelledCall(): Promise<Call> {
    const call = Call.create(owner, description, new Date());
    call.establish(new Date());
    for (let i = 0; i < 3; i++) call.playPrompt(prompts, `p${i}`, new Date());
    await repository.save(call);
    const loaded = (await repository.findOwned(owner, call.id))!;
    loaded.cancelMediaProcessing('stop', new Date());
    await repository.save(loaded);
    return loaded;
  }

  /** A connected publisher, a cancelled call's 10 CloudEvents, and the socket writes from here on. */
  async function countingWrites(): Promise<{
    real: RabbitMqPublisher;
    events: CallsCloudEvent[];
    socket: Socket;
    writes: number[];
  }> {
    await cancelledCall();
    const source = new OutboxTypeormSource(dataSource);
    const messages: Parameters<Parameters<OutboxTypeormSource['publishNext']>[1]>[0][] = [];
    await source.publishNext(50, async (batch) => void messages.push(batch));
    await source.release();
    const real = publisher();
    await real.connect();
    // The publisher's socket (amqplib's connection holds it); a system call is one _write or one _writev.
    const socket = (real as unknown as { connection: { connection: { stream: Socket } } }).connection.connection.stream;
    const writes: number[] = [];
    const write = socket._write.bind(socket);
    const writev = socket._writev!.bind(socket);
    socket._write = (chunk, encoding, done) => (writes.push(1), write(chunk, encoding, done));
    socket._writev = (chunks, done) => (writes.push(chunks.length), writev(chunks, done));
    return { real, events: messages[0].map((message) => toCloudEvent(message)), socket, writes };
  }

  it('publishes a cancel as exactly its CloudEvents, once each, routed by type, then marks them sent', async () => {
    const call = await cancelledCall();
    const relay = new OutboxRelay(new OutboxTypeormSource(dataSource), publisher(), settings);

    expect(await relay.publishOnce()).toBe(10);
    await until(() => recorder.messages.length === 10);
    await new Promise((resolve) => setTimeout(resolve, 200)); // nothing more arrives

    const bodies = recorder.bodies<{
      id: string;
      type: string;
      source: string;
      specversion: string;
      data: Record<string, unknown>;
    }>();
    expect(recorder.messages).toHaveLength(10);
    expect(bodies.map((b) => b.type)).toEqual([
      CALLS_V1.callCreated,
      CALLS_V1.callEstablished,
      CALLS_V1.mediaOperationQueued,
      CALLS_V1.mediaOperationStarted,
      CALLS_V1.mediaOperationQueued,
      CALLS_V1.mediaOperationQueued,
      CALLS_V1.mediaOperationEnded,
      CALLS_V1.mediaOperationEnded,
      CALLS_V1.mediaOperationEnded,
      CALLS_V1.mediaProcessingCancelled,
    ]);
    expect(new Set(bodies.map((b) => b.id))).toEqual(new Set(await allOutboxIds()));
    for (const [i, message] of recorder.messages.entries()) {
      expect(message.fields.routingKey).toBe(bodies[i].type);
      expect(message.properties.contentType).toBe(CLOUDEVENTS_JSON);
      expect(message.properties.messageId).toBe(bodies[i].id);
      expect(bodies[i]).toMatchObject({ specversion: '1.0', source: `/communications/calls/${call.id}` });
    }
    expect(await unpublishedIds()).toEqual([]);
    expect(await relay.publishOnce()).toBe(0);
  });

  it('hands a batch to the broker in one socket write in the same turn, and the next batch in another', async () => {
    const { real, events, writes } = await countingWrites();

    await real.publish(events);
    expect(writes).toEqual([10]);
    // And in the turn it was handed over: written before the next turn's immediates run.
    const sent = real.publish(events.slice(0, 3));
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual([10, 3]);
    await sent;
    await until(() => recorder.messages.length === 13);
  });

  it('sends what outgrows the socket buffer in whole writevs as the socket drains, not in a write per message', async () => {
    const { real, events: ten, socket, writes } = await countingWrites();
    // Several times the socket's high-water mark (16 KB on Node 20, 64 KB on 24), as a busy replica's batch is.
    const tenBytes = ten.reduce((sum, event) => sum + Buffer.byteLength(JSON.stringify(event)), 0);
    const copies = Math.ceil((5 * socket.writableHighWaterMark) / tenBytes);
    const events = Array.from({ length: copies }, () => ten).flat();

    await real.publish(events);
    const bytes = events.reduce((sum, event) => sum + Buffer.byteLength(JSON.stringify(event)), 0);
    expect(bytes).toBeGreaterThan(4 * socket.writableHighWaterMark);
    expect(writes.reduce((sum, n) => sum + n, 0)).toBe(events.length);
    // Each drain's worth in one system call (amqplib alone wrote each message after the first drain apart).
    expect(writes.length).toBeLessThanOrEqual(Math.ceil(bytes / socket.writableHighWaterMark) + 2);
    await until(() => recorder.messages.length === events.length);
  });

  it('leaves a call alone while its rows are held for direct publishing, then publishes them first, in order', async () => {
    const held = (await cancelledCall()).id;
    const other = (await cancelledCall()).id;
    const q = new SqlBuilder('postgres');
    await dataSource.query(
      `UPDATE outbox SET relay_after = now() + interval '1 minute' WHERE aggregate_id = ${q.param(held)} AND position IN
         (SELECT position FROM outbox WHERE aggregate_id = ${q.param(held)} ORDER BY position LIMIT 4)`,
      q.params,
    );
    const source = new OutboxTypeormSource(dataSource);
    const published: { callId: string; id: string }[] = [];
    const take = () =>
      source.publishNext(
        50,
        async (messages) => void published.push(...messages.map(({ callId, id }) => ({ callId, id }))),
      );
    expect(await take()).toBe(10);
    expect(new Set(published.map((m) => m.callId))).toEqual(new Set([other]));

    // The writer died: once relay_after is past, the relay takes the whole call, held rows first.
    await dataSource.query(`UPDATE outbox SET relay_after = now() - interval '1 second' WHERE relay_after IS NOT NULL`);
    published.length = 0;
    expect(await take()).toBe(10);
    const order = (await dataSource.query('SELECT id FROM outbox WHERE aggregate_id = $1 ORDER BY position', [
      held,
    ])) as { id: string }[];
    expect(published.map((m) => m.id)).toEqual(order.map((row) => row.id));
    await source.release(); // outside a relay, the connection a busy round kept goes back by hand
  });

  it('holds one connection across busy rounds, outside the pool queue, and gives it back when idle and when stopped', async () => {
    const pool = (dataSource.driver as unknown as { master: { totalCount: number; idleCount: number } }).master;
    const checkedOut = () => pool.totalCount - pool.idleCount;
    const source = new OutboxTypeormSource(dataSource);
    let heldWhilePublishing = -1;
    let published = false;
    const relay = new OutboxRelay(
      source,
      {
        publish: async () => {
          heldWhilePublishing = checkedOut();
          published = true;
        },
        close: async () => undefined,
      },
      settings,
    );
    await cancelledCall();
    relay.start();
    closers.push(() => relay.stop());
    // Not polling the database meanwhile: that would check out a connection of its own.
    await until(() => published);
    expect(heldWhilePublishing).toBe(1); // the round's own connection, and no other
    await until(() => checkedOut() === 0); // the next round found nothing and gave it back
    await relay.stop();

    // Stopped right after a busy round: the connection it still held goes back too.
    let busy = true;
    const stopper = new OutboxRelay(
      source,
      { publish: async () => void (busy = false), close: async () => undefined },
      { ...settings, pollIntervalMs: 60_000 },
    );
    await cancelledCall();
    stopper.start();
    closers.push(() => stopper.stop());
    await until(() => !busy);
    expect(checkedOut()).toBe(1);
    await stopper.stop();
    expect(checkedOut()).toBe(0);
  });

  it('loses nothing while the broker is unreachable, and delivers when it is back, without a restart', async () => {
    const proxy = new TcpProxy(5672);
    await proxy.start();
    closers.push(() => proxy.stop());
    const relay = new OutboxRelay(
      new OutboxTypeormSource(dataSource),
      publisher(`amqp://guest:guest@127.0.0.1:${proxy.port}`),
      settings,
    );
    relay.start();
    closers.push(() => relay.stop());

    await cancelledCall();
    relay.wake();
    await until(async () => (await unpublishedIds()).length === 0);
    expect(await connectedGauge()).toBe(1);

    await proxy.stop(); // the broker goes away
    await cancelledCall();
    await cancelledCall();
    relay.wake();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await unpublishedIds()).toHaveLength(20); // waiting, not lost
    expect(await connectedGauge()).toBe(0); // and operators can see why

    await proxy.start(); // back on the same port
    await until(async () => (await unpublishedIds()).length === 0);
    expect(await connectedGauge()).toBe(1);
    const outboxIds = await allOutboxIds();
    await until(() => new Set(recorder.bodies<{ id: string }>().map((b) => b.id)).size === outboxIds.length);
    expect(new Set(recorder.bodies<{ id: string }>().map((b) => b.id))).toEqual(new Set(outboxIds));
  });

  it('leaves no connection behind when a publisher is closed while it is still connecting', async () => {
    const proxy = new TcpProxy(5672);
    await proxy.start();
    closers.push(() => proxy.stop());
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const early = new RabbitMqPublisher({
          url: `amqp://guest:guest@127.0.0.1:${proxy.port}`,
          exchange,
          timeoutMs: 2000,
        });
        const connecting = early.connect().then(
          () => 'connected',
          (error: Error) => error.message,
        );
        await early.close();
        return connecting;
      }),
    );
    expect(outcomes).toEqual(Array(5).fill('the publisher is closed'));
    await until(() => proxy.openConnections === 0, 3000);
    expect(await connectedGauge()).toBe(0);
  });

  it('runs two relays at once without losing an event, keeping each call in order', async () => {
    const calls: Call[] = [];
    for (let i = 0; i < 20; i++) calls.push(await cancelledCall());
    const second = await new DataSource({ ...dataSourceOptions(database.settings), migrationsRun: false }).initialize();
    closers.push(() => second.destroy());
    const relays = [
      new OutboxRelay(new OutboxTypeormSource(dataSource), publisher(), { ...settings, batchSize: 7 }),
      new OutboxRelay(new OutboxTypeormSource(second), publisher(), { ...settings, batchSize: 7 }),
    ];
    for (const relay of relays) {
      relay.start();
      closers.push(() => relay.stop());
    }

    await until(async () => (await unpublishedIds()).length === 0);
    const outboxIds = await allOutboxIds();
    await until(() => new Set(recorder.bodies<{ id: string }>().map((b) => b.id)).size === outboxIds.length);

    const bodies = recorder.bodies<{ id: string; source: string }>();
    expect(new Set(bodies.map((b) => b.id))).toEqual(new Set(outboxIds));
    const duplicates = bodies.length - new Set(bodies.map((b) => b.id)).size;
    expect(duplicates).toBe(0); // calls are claimed whole, so in normal operation nothing is sent twice
    const position = new Map(outboxIds.map((id, i) => [id, i]));
    for (const call of calls) {
      const received = bodies
        .filter((b) => b.source === `/communications/calls/${call.id}`)
        .map((b) => position.get(b.id)!);
      expect(received).toEqual([...received].sort((a, b) => a - b));
      expect(received).toHaveLength(10);
    }
  });

  it('keeps a batch whose publishing failed half-way, and publishes it on the next attempt', async () => {
    await cancelledCall();
    const source = new OutboxTypeormSource(dataSource);
    const real = publisher();
    await expect(
      source.publishNext(50, async (messages) => {
        await real.publish(messages.slice(0, 4).map((message) => toCloudEvent(message)));
        throw new Error('replica died mid-batch');
      }),
    ).rejects.toThrow('replica died mid-batch');
    expect(await unpublishedIds()).toHaveLength(10);

    const relay = new OutboxRelay(source, real, settings);
    expect(await relay.publishOnce()).toBe(10);
    expect(await unpublishedIds()).toEqual([]);
  });

  it('prunes rows published before the retention cut-off only', async () => {
    await cancelledCall();
    const source = new OutboxTypeormSource(dataSource);
    await new OutboxRelay(source, publisher(), settings).publishOnce();
    await cancelledCall(); // 10 unpublished rows
    const q = new SqlBuilder('postgres');
    await dataSource.query(
      `UPDATE outbox SET published_at = ${q.param('2000-01-01T00:00:00.000Z')} WHERE published_at IS NOT NULL`,
      q.params,
    );
    expect(await source.prunePublished(new Date('2001-01-01T00:00:00Z'))).toBe(10);
    expect(await allOutboxIds()).toHaveLength(10);
  });

  it('a replica that stops releases what it holds: the survivor publishes it and the call’s next event at once', async () => {
    // Replica A's broker accepts connections and never answers (it hangs), so A's direct publish is in flight
    // when A is told to stop.
    const held: Socket[] = [];
    const silent = createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closers.push(() => {
      for (const socket of held) socket.destroy();
      return new Promise((resolve) => silent.close(resolve));
    });
    const hangingUrl = `amqp://guest:guest@127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const messaging = (url: string) => ({
      amqpUrl: url,
      exchange,
      brokerTimeoutMs: 1_000,
      outboxBatchSize: 50,
      outboxPollMs: 50,
      outboxLingerMs: 0,
      outboxRetentionHours: 1,
      relayEnabled: true,
    });
    const hold = outboxHold(messaging(AMQP_URL));
    const replica = (url: string) => {
      const host = new OutboxRelayHost(new OutboxTypeormSource(dataSource), publisher(url), messaging(url));
      return { host, calls: new CallTypeormRepository(dataSource, hold) };
    };
    const a = replica(hangingUrl);
    const b = replica(AMQP_URL);
    b.host.onApplicationBootstrap();
    closers.push(() => b.host.onApplicationShutdown());

    const call = Call.create(owner, description, new Date());
    call.establish(new Date());
    const first = await a.calls.save(call);
    expect(first.held).toBe(true); // A's to publish: B's relay leaves the call alone
    a.host.committed(first);
    const stopping = a.host.onApplicationShutdown();

    // The survivor changes the same call meanwhile; its event goes behind A's, to the relay.
    const loaded = (await b.calls.findOwned(owner, call.id))!;
    loaded.playPrompt(prompts, 'after the stop', new Date());
    const next = await b.calls.save(loaded);
    expect(next.held).toBe(false);
    b.host.committed(next);
    // A stops once its publish to the hanging broker has timed out; from then on its rows are released.
    await stopping;
    const releasedAt = Date.now();

    const ids = await allOutboxIds();
    await until(() => ids.every((id) => recorder.messages.some((m) => m.properties.messageId === id)), 10_000);
    const waited = Date.now() - releasedAt;
    // In order, and well before A's hold would have run out (measured from the release, so a loaded
    // machine's slow broker timeout does not count against it).
    const arrived = recorder.messages.map((m) => m.properties.messageId as string);
    expect(arrived.filter((id) => ids.includes(id))).toEqual(ids);
    expect(waited).toBeLessThan(hold.holdMs);
  });
});
