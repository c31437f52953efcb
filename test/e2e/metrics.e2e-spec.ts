import request from 'supertest';
import { createPostgresDatabase, TestDatabase } from '../support/test-databases';
import { establishedCall, PROMPT, startTestApp, TestApp } from '../support/test-app';

describe('Prometheus metrics (HTTP, PostgreSQL)', () => {
  let database: TestDatabase;
  let service: TestApp;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    service = await startTestApp(database, { OUTBOX_RELAY: 'off' });
  });

  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  it('counts requests by route template and status, times commands, and shows the outbox backlog and the pool', async () => {
    const auth = `Bearer ${service.token()}`;
    const api = () => request(service.url);
    const callId = await establishedCall(service);
    await api()
      .post(`/communications/calls/${callId}/playPrompt`)
      .set('Authorization', auth)
      .send({ prompts: [PROMPT] });
    await api().post(`/communications/calls/${callId}/cancelMediaProcessing`).set('Authorization', auth).send({});
    await api().post(`/communications/calls/${callId}/cancelMediaProcessing`).send({}); // 401

    const res = await api().get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    const line = (pattern: RegExp) => text.split('\n').find((l) => pattern.test(l));
    expect(
      line(
        /^http_requests_total\{route="\/communications\/calls\/:callId\/cancelMediaProcessing",method="POST",status="200"\} 1$/,
      ),
    ).toBeDefined();
    expect(
      line(
        /^http_requests_total\{route="\/communications\/calls\/:callId\/cancelMediaProcessing",method="POST",status="401"\} 1$/,
      ),
    ).toBeDefined();
    expect(
      line(/^command_duration_seconds_count\{command="CancelMediaProcessingCommand",outcome="ok"\} 1$/),
    ).toBeDefined();
    // The relay is off here, so every event of this call is still waiting.
    expect(Number(line(/^outbox_backlog /)?.split(' ')[1])).toBe(6); // created, established, queued, started, ended, cancelled
    expect(Number(line(/^outbox_oldest_unpublished_age_seconds /)?.split(' ')[1])).toBeGreaterThan(0);
    expect(Number(line(/^db_pool_connections /)?.split(' ')[1])).toBeGreaterThan(0);
    expect(line(/^process_cpu_seconds_total /)).toBeDefined();
  });
});
