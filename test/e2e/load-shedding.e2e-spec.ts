import request from 'supertest';
import { DataSource } from 'typeorm';
import { createPostgresDatabase } from '../support/test-databases';
import { establishedCall, eventually, PROMPT, serviceForSuite, SuiteService } from '../support/test-app';

/** Plays a prompt on a call: any request that needs authentication and the database. */
const play = (suite: SuiteService, callId: string) =>
  request(suite.service.url)
    .post(`/communications/calls/${callId}/playPrompt`)
    .set('Authorization', suite.auth)
    .send({ prompts: [PROMPT] });

/** A call, once the service is past its start (in this process jest's own module loading makes the loop late too). */
async function newCall(suite: SuiteService): Promise<string> {
  let callId = '';
  await eventually(
    async () => (callId = await establishedCall(suite.service).catch(() => '')),
    (id) => id !== '',
  );
  return callId;
}

function expectShed(res: request.Response, cause: RegExp): void {
  expect({ status: res.status, code: res.body.error?.code, retryAfter: res.headers['retry-after'] }).toEqual({
    status: 503,
    code: 'serviceNotAvailable',
    retryAfter: '1',
  });
  expect(res.body.error.message).toMatch(cause);
  expect(res.body.error.innerError['request-id']).toBe(res.headers['request-id']);
}

async function expectRecovery(suite: SuiteService, callId: string): Promise<void> {
  const recovered = await eventually(
    () => play(suite, callId),
    (res) => res.status === 200,
  );
  expect(recovered.status).toBe(200);
}

/**
 * Past what it can serve, the service sheds new requests with a fast 503
 * instead of queueing them, while probes answer and accepted requests
 * complete (HTTP, PostgreSQL; the figures under real load are in the bench).
 */
describe('load shedding on the wait for a database connection (HTTP, PostgreSQL)', () => {
  const suite = serviceForSuite(createPostgresDatabase, {
    SHED_DATABASE_WAIT_MS: '100',
    SHED_SAMPLE_INTERVAL_MS: '50',
  });

  it('sheds while every connection is taken, lets the accepted request finish, and recovers', async () => {
    const callId = await newCall(suite);
    const dataSource = suite.service.app.get(DataSource);
    const accepted = play(suite, callId).then((res) => res); // in flight before the pool fills up
    const poolSize = (dataSource.options as { extra: { max: number } }).extra.max;
    const holders = Array.from({ length: poolSize }, () => dataSource.query('SELECT pg_sleep(1.5)'));
    await new Promise((resolve) => setTimeout(resolve, 400));

    const started = Date.now();
    const shed = await play(suite, callId);
    expectShed(shed, /database is slow/);
    expect(Date.now() - started).toBeLessThan(500); // it waited for no connection
    expect((await request(suite.service.url).get('/health/live')).status).toBe(200);

    expect((await accepted).status).toBe(200);
    await Promise.all(holders);
    await expectRecovery(suite, callId);
  });
});

describe('load shedding on event-loop delay (HTTP, PostgreSQL)', () => {
  const suite = serviceForSuite(createPostgresDatabase, {
    SHED_EVENT_LOOP_DELAY_MS: '30',
    SHED_SAMPLE_INTERVAL_MS: '200',
  });

  it('sheds while the event loop runs late, and keeps answering the liveness probe', async () => {
    const callId = await newCall(suite);
    // Keep the process's event loop busy almost all the time, as a CPU-bound overload would, in blocks
    // of 60 ms: within each 200 ms window under-pressure's histogram takes samples (about 61 ms late).
    // A window without one (blocks longer than the window) reads as Infinity, which sheds nothing.
    let busy = true;
    const work = () => {
      const until = Date.now() + 60;
      while (Date.now() < until);
      if (busy) setTimeout(work, 1);
    };
    setTimeout(work, 1);
    try {
      // The delay is sampled in the background: within a sample or two of the overload, requests are shed.
      const shed = await eventually(
        () => play(suite, callId),
        (res) => res.status === 503,
        5_000,
      );
      expectShed(shed, /event loop \d+ ms late/); // a window without a sample (Infinity) sheds nothing
      expect((await request(suite.service.url).get('/health/live')).status).toBe(200);
    } finally {
      busy = false;
    }
    await expectRecovery(suite, callId);
  });
});
