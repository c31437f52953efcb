import type { INestApplicationContext } from '@nestjs/common';
import { connect } from 'amqplib';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { tablesFor } from '@calls/persistence';
import { createNotifier } from '../../apps/notifier/src/bootstrap';
import { OpsServerHost } from '../../apps/notifier/src/ops-server.host';
import { CallbackReceiver } from '../support/callback-receiver';
import { AMQP_URL, deleteQueueAndExchange, privateExchange } from '../support/rabbitmq';
import { createPostgresDatabase, TestDatabase } from '../support/test-databases';
import { notifiedCall, PROMPT, startTestApp, TestApp } from '../support/test-app';

/** Service and notifier as separate apps joined by RabbitMQ, as they run in production. */
describe('notifier app over RabbitMQ (PostgreSQL, RabbitMQ)', () => {
  let database: TestDatabase;
  let service: TestApp;
  let notifier: INestApplicationContext;
  let receiver: CallbackReceiver;
  const exchange = privateExchange('notifier');
  const queue = `${exchange}.notifier`;

  beforeAll(async () => {
    receiver = new CallbackReceiver();
    await receiver.start();
    database = await createPostgresDatabase();
    const env = { AMQP_URL, AMQP_EXCHANGE: exchange, OUTBOX_POLL_MS: '50', NOTIFIER_POLL_MS: '50' };
    service = await startTestApp(database, env);
    const saved = { ...process.env };
    Object.assign(process.env, env, {
      NOTIFIER_QUEUE: queue,
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: database.settings.databaseUrl,
      DATA_DIR: database.settings.dataDir,
    });
    try {
      notifier = await createNotifier({ logger: false });
      await notifier.init();
    } finally {
      process.env = saved;
    }
  });

  afterAll(async () => {
    await notifier?.close();
    await service?.close();
    await receiver?.stop();
    await deleteQueueAndExchange(queue, exchange);
    await database?.drop();
  });

  it('serves its health and metrics', async () => {
    const ops = `http://127.0.0.1:${notifier.get(OpsServerHost).port}`;
    expect((await request(ops).get('/health/live')).status).toBe(200);
    expect((await request(ops).get('/health/ready')).body).toMatchObject({ status: 'ok', database: 'up' });
    const metrics = (await request(ops).get('/metrics')).text;
    expect(metrics).toContain('process_cpu_seconds_total');
    expect(metrics).toContain(`broker_connected{role="consume",target="${queue}"} 1`);
  });

  it('delivers the notifications of a cancel, and a redelivered message is not sent twice', async () => {
    const auth = `Bearer ${service.token()}`;
    const api = () => request(service.url);
    const callId = await notifiedCall(service, receiver);
    const prompt = (
      await api()
        .post(`/communications/calls/${callId}/playPrompt`)
        .set('Authorization', auth)
        .send({ prompts: [PROMPT] })
    ).body.id;
    await api().post(`/communications/calls/${callId}/cancelMediaProcessing`).set('Authorization', auth).send({});
    await receiver.receivedAtLeast(3);
    expect(receiver.received.map((n) => [n.body.value[0].changeType, n.body.value[0].resourceUrl])).toEqual([
      ['updated', `/communications/calls/${callId}`],
      ['updated', `/communications/calls/${callId}`],
      ['deleted', `/communications/calls/${callId}/operations/${prompt}`],
    ]);

    // The broker hands the same event over again (as after a consumer crash before its ack).
    const eventId = String(receiver.received[2].headers['x-calls-event-id']);
    const stored = await service.app
      .get(DataSource)
      .getRepository(tablesFor('postgres').inbox)
      .findOneByOrFail({ event_id: eventId });
    const connection = await connect(AMQP_URL);
    const channel = await connection.createConfirmChannel();
    channel.publish(exchange, 'calls.v1.mediaOperation.ended', Buffer.from(JSON.stringify(stored.event)), {
      contentType: 'application/cloudevents+json',
    });
    await channel.waitForConfirms();
    await connection.close();
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(receiver.received).toHaveLength(3);
  });
});
