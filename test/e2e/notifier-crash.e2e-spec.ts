import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppProcess, buildApps, freePort } from '../support/app-process';
import { CallbackReceiver } from '../support/callback-receiver';
import { AMQP_URL, deleteQueueAndExchange, privateExchange } from '../support/rabbitmq';
import { createPostgresDatabase, TestDatabase } from '../support/test-databases';
import { CREATE_CALL_BODY, PROMPT, startTestApp, TestApp } from '../support/test-app';
import { until } from '../support/waits';

/** The events the notifier turns into notifications (operations answered in their own response excepted). */
const NOTIFIED = `type IN ('calls.v1.call.created', 'calls.v1.call.established', 'calls.v1.call.terminated')
  OR (type = 'calls.v1.mediaOperation.ended'
      AND payload->'operation'->>'@odata.type' IN ('#microsoft.graph.playPromptOperation', '#microsoft.graph.recordOperation'))`;

/**
 * The notifier app killed with SIGKILL while callbacks are in flight, then
 * started again: every notification reaches the bot, a repeat carrying the
 * same event id for the bot to drop (processes, PostgreSQL, RabbitMQ).
 */
describe('the notifier killed mid-delivery (processes, PostgreSQL, RabbitMQ)', () => {
  let database: TestDatabase;
  let service: TestApp;
  let receiver: CallbackReceiver;
  let dataDir: string;
  const exchange = privateExchange('notifier-crash');
  const queue = `${exchange}.notifier`;

  const notifier = async (): Promise<AppProcess> => {
    const port = await freePort();
    const process = new AppProcess('notifier', {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: database.settings.databaseUrl!,
      AMQP_URL,
      AMQP_EXCHANGE: exchange,
      NOTIFIER_QUEUE: queue,
      NOTIFIER_POLL_MS: '50',
      // A crashed notifier's claims lapse after this; production's default is a minute.
      NOTIFIER_LEASE_MS: '2000',
      LOG_LEVEL: 'warn',
    });
    await process.start(`http://127.0.0.1:${port}/health/ready`);
    return process;
  };

  beforeAll(async () => {
    await buildApps();
    receiver = new CallbackReceiver();
    await receiver.start();
    database = await createPostgresDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'calls-notifier-crash-'));
    service = await startTestApp(database, { AMQP_URL, AMQP_EXCHANGE: exchange, OUTBOX_POLL_MS: '50' });
  }, 120_000);

  afterAll(async () => {
    await service?.close();
    await receiver?.stop();
    await deleteQueueAndExchange(queue, exchange);
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers every notification after a restart, a repeat only with the same event id and body', async () => {
    const first = await notifier();
    receiver.delayMs = 300; // each delivery is in flight for a while
    const auth = `Bearer ${service.token()}`;
    for (let i = 0; i < 8; i++) {
      const callId = (
        await request(service.url)
          .post('/communications/calls')
          .set('Authorization', auth)
          .send({ ...CREATE_CALL_BODY, callbackUri: receiver.url })
      ).body.id;
      for (let p = 0; p < 2; p++) {
        await request(service.url)
          .post(`/communications/calls/${callId}/playPrompt`)
          .set('Authorization', auth)
          .send({ prompts: [PROMPT] });
      }
      await request(service.url)
        .post(`/communications/calls/${callId}/cancelMediaProcessing`)
        .set('Authorization', auth);
      await request(service.url).delete(`/communications/calls/${callId}`).set('Authorization', auth);
    }
    await until(() => receiver.received.length >= 5);
    await first.kill('SIGKILL');
    const beforeRestart = receiver.received.length;

    const second = await notifier();
    try {
      const db = service.app.get(DataSource);
      // Per call: created, established, two prompts ended by the cancel, terminated.
      let expected: { id: string }[] = [];
      await until(async () => (expected = await db.query(`SELECT id FROM outbox WHERE ${NOTIFIED}`)).length === 8 * 5);
      const eventIdOf = (n: (typeof receiver.received)[number]) => String(n.headers['x-calls-event-id']);
      await until(() => expected.every(({ id }) => receiver.received.some((n) => eventIdOf(n) === id)), 60_000);

      expect(beforeRestart).toBeLessThan(expected.length); // the crash did cut deliveries short
      const bodies = new Map<string, string>();
      for (const notification of receiver.received) {
        const id = eventIdOf(notification);
        expect(expected.map((row) => row.id)).toContain(id);
        const body = JSON.stringify(notification.body);
        // At least once: a repeat is the same notification, under the same event id.
        expect({ id, body: bodies.get(id) ?? body }).toEqual({ id, body });
        bodies.set(id, body);
      }
    } finally {
      await second.stop();
    }
  }, 120_000);
});
