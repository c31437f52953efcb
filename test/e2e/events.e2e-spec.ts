import request from 'supertest';
import { CALLS_V1 } from '@calls/messaging';
import { AMQP_URL, ExchangeRecorder, privateExchange } from '../support/rabbitmq';
import { createPostgresDatabase, TestDatabase } from '../support/test-databases';
import { establishedCall, eventually, PROMPT, startTestApp, TestApp } from '../support/test-app';

interface Event {
  id: string;
  type: string;
  source: string;
  data: Record<string, unknown>;
}

describe('events of a cancel reach RabbitMQ (HTTP, PostgreSQL, RabbitMQ)', () => {
  let database: TestDatabase;
  let service: TestApp;
  let recorder: ExchangeRecorder;

  beforeAll(async () => {
    const exchange = privateExchange('service');
    recorder = new ExchangeRecorder(exchange);
    await recorder.start();
    database = await createPostgresDatabase();
    service = await startTestApp(database, { AMQP_URL, AMQP_EXCHANGE: exchange, OUTBOX_POLL_MS: '100' });
  });

  afterAll(async () => {
    await service?.close();
    await recorder?.stop();
    await database?.drop();
  });

  it('publishes the cancel and one ended event per cancelled operation, with the final Graph bodies', async () => {
    const auth = `Bearer ${service.token()}`;
    const api = () => request(service.url);
    const callId = await establishedCall(service);
    const first = await api()
      .post(`/communications/calls/${callId}/playPrompt`)
      .set('Authorization', auth)
      .send({ prompts: [PROMPT] });
    const second = await api()
      .post(`/communications/calls/${callId}/playPrompt`)
      .set('Authorization', auth)
      .send({ prompts: [PROMPT] });
    const cancel = await api()
      .post(`/communications/calls/${callId}/cancelMediaProcessing`)
      .set('Authorization', auth)
      .send({ clientContext: 'bye' });

    const ofCall = () => recorder.bodies<Event>().filter((event) => event.source === `/communications/calls/${callId}`);
    await eventually(
      async () => ofCall(),
      (events) => events.some((event) => event.type === CALLS_V1.mediaProcessingCancelled),
    );
    const events = ofCall();
    const ended = events.filter((event) => event.type === CALLS_V1.mediaOperationEnded);
    expect(ended.map((event) => (event.data.operation as { id: string }).id)).toEqual([first.body.id, second.body.id]);
    expect(ended[0].data.operation).toMatchObject({
      '@odata.type': '#microsoft.graph.playPromptOperation',
      status: 'failed',
      resultInfo: { code: 400, subcode: 8508, message: 'Action failed, the operation was cancelled.' },
    });
    const cancelled = events.filter((event) => event.type === CALLS_V1.mediaProcessingCancelled);
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0].data).toMatchObject({
      callId,
      tenantId: 'tenant-a',
      appId: 'app-a',
      cancelOperation: { id: cancel.body.id, clientContext: 'bye' },
      cancelledOperations: [
        { id: first.body.id, kind: 'playPrompt', previousStatus: 'running' },
        { id: second.body.id, kind: 'playPrompt', previousStatus: 'notStarted' },
      ],
    });
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
  });
});
