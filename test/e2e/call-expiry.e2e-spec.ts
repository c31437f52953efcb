import request from 'supertest';
import { DataSource } from 'typeorm';
import { CallbackReceiver } from '../support/callback-receiver';
import { createPostgresDatabase, TestDatabase } from '../support/test-databases';
import { CREATE_CALL_BODY, eventually, PROMPT, startTestApp, TestApp } from '../support/test-app';
import { until } from '../support/waits';

/** A keepAlive timeout of one second, swept often, so the suite sees calls end in seconds rather than 45 minutes. */
const ENV = { CALL_KEEPALIVE_TIMEOUT_S: '1', CALL_EXPIRY_SWEEP_MS: '50', OUTBOX_POLL_MS: '50', NOTIFIER_POLL_MS: '50' };
const KEEPALIVE_TIMEOUT = {
  '@odata.type': '#microsoft.graph.resultInfo',
  code: 408,
  subcode: 8537,
  message: 'Keep Alive timeout, cleaned up inactive call.',
};

/**
 * Calls that get no keepAlive end on their own (HTTP, PostgreSQL, two
 * replicas): the deadline lives in the database, so a restart keeps it and
 * two replicas end a call once.
 */
describe('calls without keepAlive end on their own (HTTP, PostgreSQL, two replicas)', () => {
  let database: TestDatabase;
  let replicas: TestApp[];
  const receiver = new CallbackReceiver();

  beforeAll(async () => {
    await receiver.start();
    database = await createPostgresDatabase();
    replicas = [await startTestApp(database, ENV), await startTestApp(database, ENV)];
  });

  afterAll(async () => {
    for (const replica of replicas ?? []) await replica.close();
    await receiver.stop();
    await database?.drop();
  });

  const auth = (replica: TestApp) => `Bearer ${replica.token()}`;
  async function createCall(replica: TestApp): Promise<string> {
    const created = await request(replica.url)
      .post('/communications/calls')
      .set('Authorization', auth(replica))
      .send({ ...CREATE_CALL_BODY, callbackUri: receiver.url });
    return created.body.id;
  }
  const getCall = (replica: TestApp, callId: string) =>
    request(replica.url).get(`/communications/calls/${callId}`).set('Authorization', auth(replica));
  const terminatedEvents = async (callId: string) =>
    (
      await replicas[0].app
        .get(DataSource)
        .query(`SELECT id FROM outbox WHERE aggregate_id = $1 AND type = 'calls.v1.call.terminated'`, [callId])
    ).length;

  it('ends a silent call with 408/8537 exactly once across two replicas, its prompt with it, and tells the bot', async () => {
    const callId = await createCall(replicas[0]);
    await eventually(
      () => getCall(replicas[1], callId),
      (res) => res.body.state === 'established',
    );
    const prompt = await request(replicas[1].url)
      .post(`/communications/calls/${callId}/playPrompt`)
      .set('Authorization', auth(replicas[1]))
      .send({ prompts: [PROMPT] });

    const ended = await eventually(
      () => getCall(replicas[0], callId),
      (res) => res.body.state === 'terminated',
    );
    expect(ended.body).toMatchObject({ state: 'terminated', resultInfo: KEEPALIVE_TIMEOUT });
    const operation = await request(replicas[0].url)
      .get(`/communications/calls/${callId}/operations/${prompt.body.id}`)
      .set('Authorization', auth(replicas[0]));
    expect(operation.body).toMatchObject({ status: 'failed', resultInfo: { code: 410 } });

    const aboutCall = () =>
      receiver.received.filter(
        (n) =>
          n.body.value[0].resourceUrl === `/communications/calls/${callId}` && n.body.value[0].changeType === 'deleted',
      );
    await until(() => aboutCall().length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 500)); // both replicas keep sweeping meanwhile
    expect(aboutCall()).toHaveLength(1);
    expect(aboutCall()[0].body.value[0].resourceData).toMatchObject({
      state: 'terminated',
      resultInfo: KEEPALIVE_TIMEOUT,
    });
    expect(await terminatedEvents(callId)).toBe(1);
  });

  it('keeps a call alive for as long as keepAlive arrives in time, on either replica', async () => {
    const callId = await createCall(replicas[0]);
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      const replica = replicas[i % 2];
      const res = await request(replica.url)
        .post(`/communications/calls/${callId}/keepAlive`)
        .set('Authorization', auth(replica));
      expect(res.status).toBe(200);
    }
    expect((await getCall(replicas[1], callId)).body.state).toBe('established');
    expect(await terminatedEvents(callId)).toBe(0);
    // Then it stops coming, and the call ends.
    const ended = await eventually(
      () => getCall(replicas[0], callId),
      (res) => res.body.state === 'terminated',
    );
    expect(ended.body.resultInfo).toEqual(KEEPALIVE_TIMEOUT);
  });

  it('keeps the deadline across a restart: a replica started later ends a call that timed out while none ran', async () => {
    for (const replica of replicas) await replica.close();
    const lone = await startTestApp(database, { ...ENV, CALL_EXPIRY_SWEEP_MS: '60000' });
    const callId = await createCall(lone);
    await lone.close(); // its first sweep is a minute away: nothing ends the call while it runs
    await new Promise((resolve) => setTimeout(resolve, 1200));

    replicas = [await startTestApp(database, ENV)];
    const ended = await eventually(
      () => getCall(replicas[0], callId),
      (res) => res.body.state === 'terminated',
    );
    expect(ended.body.resultInfo).toEqual(KEEPALIVE_TIMEOUT);
    expect(await terminatedEvents(callId)).toBe(1);
  });
});
