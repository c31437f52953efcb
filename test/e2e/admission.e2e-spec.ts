import request from 'supertest';
import { Client } from 'pg';
import { createPostgresDatabase } from '../support/test-databases';
import { CREATE_CALL_BODY, establishedCall, PROMPT, serviceForSuite, SuiteService } from '../support/test-app';

const post = (suite: SuiteService, callId: string, action: string, body: object, auth = suite.auth) =>
  request(suite.service.url)
    .post(`/communications/calls/${callId}/${action}`)
    .set('Authorization', auth)
    .send(body)
    .then((res) => res);

/** Holds the call's row lock in a transaction of its own, so a command on it stays in flight until `release`. */
async function holdRow(suite: SuiteService, callId: string): Promise<{ release(): Promise<void> }> {
  const locker = new Client({ connectionString: suite.database.settings.databaseUrl });
  await locker.connect();
  await locker.query('BEGIN');
  await locker.query('SELECT 1 FROM calls WHERE id = $1 FOR UPDATE', [callId]);
  return {
    async release() {
      await locker.query('COMMIT');
      await locker.end();
    },
  };
}

const metric = async (suite: SuiteService, line: RegExp): Promise<number> => {
  const text = (await request(suite.service.url).get('/metrics')).text;
  return Number(line.exec(text)?.[1] ?? 0);
};

/**
 * The door in front of the database (HTTP, PostgreSQL): past the limit of
 * requests in flight the service refuses ordinary requests at once with a
 * 503 and Retry-After, while cancels and hang-ups still get in; commands on
 * one call wait in line, and past the line's bound get 429. The behaviour
 * under real overload is measured in `npm run bench`.
 */
describe('admission at the door (HTTP, PostgreSQL)', () => {
  // One request in flight at most, no queue: every further ordinary request is refused at once.
  const suite = serviceForSuite(createPostgresDatabase, {
    SHED_ADMISSION: 'adaptive',
    SHED_MAX_IN_FLIGHT: '1',
    SHED_MAX_QUEUE: '0',
  });

  it('refuses an ordinary request past the limit with 503 and Retry-After, lets a cancel in, and recovers', async () => {
    const [busy, other] = [await establishedCall(suite.service), await establishedCall(suite.service)];
    const refusedBefore = await metric(
      suite,
      /http_admission_refusals_total\{class="normal",reason="queue_full"\} (\d+)/,
    );
    const row = await holdRow(suite, busy);
    const inFlight = post(suite, busy, 'playPrompt', { prompts: [PROMPT] });
    await new Promise((resolve) => setTimeout(resolve, 300)); // it has its place and waits for the row

    const refused = await post(suite, other, 'playPrompt', { prompts: [PROMPT] });
    expect({
      status: refused.status,
      code: refused.body.error?.code,
      retryAfter: refused.headers['retry-after'],
    }).toEqual({ status: 503, code: 'serviceNotAvailable', retryAfter: '1' });
    expect(refused.body.error.message).toMatch(/^the service is at capacity \(0 requests waiting\); retry later\.$/);
    expect(refused.body.error.innerError['request-id']).toBe(refused.headers['request-id']);
    // A cancel is admitted first: it may take a place beyond the limit.
    const cancel = await post(suite, other, 'cancelMediaProcessing', {});
    expect(cancel.status).toBe(200);
    expect(await metric(suite, /http_admission_refusals_total\{class="normal",reason="queue_full"\} (\d+)/)).toBe(
      refusedBefore + 1,
    );

    await row.release();
    expect((await inFlight).status).toBe(200);
    // Nothing was written for the refused prompt: the call has no operation but the cancel.
    const operations = await request(suite.service.url)
      .get(`/communications/calls/${other}/operations`)
      .set('Authorization', suite.auth);
    expect(operations.body.value.map((operation: { '@odata.type': string }) => operation['@odata.type'])).toEqual([
      '#microsoft.graph.cancelMediaProcessingOperation',
    ]);
    expect((await post(suite, other, 'playPrompt', { prompts: [PROMPT] })).status).toBe(200);
  });

  it('never holds back the process endpoints', async () => {
    const busy = await establishedCall(suite.service);
    const row = await holdRow(suite, busy);
    const inFlight = post(suite, busy, 'playPrompt', { prompts: [PROMPT] });
    await new Promise((resolve) => setTimeout(resolve, 300));
    try {
      expect((await request(suite.service.url).get('/health/live')).status).toBe(200);
      expect((await request(suite.service.url).get('/metrics')).text).toMatch(
        /http_admission\{measure="in_flight"\} 1/,
      );
    } finally {
      await row.release();
    }
    expect((await inFlight).status).toBe(200);
  });
});

describe("one call's line (HTTP, PostgreSQL)", () => {
  const suite = serviceForSuite(createPostgresDatabase, { SHED_CALL_QUEUE: '4' });

  it('runs a burst on one call one command at a time: each answer a 200 or a 429 with Retry-After, never a 409 or 5xx', async () => {
    const callId = await establishedCall(suite.service);
    const other = await establishedCall(suite.service);
    const otherTenant = `Bearer ${suite.service.token({ tenantId: 'tenant-b', appId: 'app-b' })}`;
    const otherCall = await request(suite.service.url)
      .post('/communications/calls')
      .set('Authorization', otherTenant)
      .send(CREATE_CALL_BODY)
      .then((res) => res.body.id as string);

    const row = await holdRow(suite, callId); // the burst piles up behind one running command
    const burst = Array.from({ length: 24 }, (_, i) =>
      post(suite, callId, i % 2 ? 'cancelMediaProcessing' : 'playPrompt', i % 2 ? {} : { prompts: [PROMPT] }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Other calls, and another tenant, are not in that line.
    expect((await post(suite, other, 'playPrompt', { prompts: [PROMPT] })).status).toBe(200);
    expect((await post(suite, otherCall, 'playPrompt', { prompts: [PROMPT] }, otherTenant)).status).toBe(200);
    await row.release();
    const answers = await Promise.all(burst);

    const statuses = answers.map((res) => res.status);
    // One runs, four wait: the other nineteen are refused at once.
    expect(statuses.filter((status) => status === 200)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(19);
    const refused = answers.find((res) => res.status === 429)!;
    expect({ code: refused.body.error.code, retryAfter: refused.headers['retry-after'] }).toEqual({
      code: 'activityLimitReached',
      retryAfter: '1',
    });
    expect(refused.body.error.message).toBe('Too many requests are waiting on this call (4).');
  });

  it('gives back the turn of a request whose client left while it waited in the line', async () => {
    const callId = await establishedCall(suite.service);
    const row = await holdRow(suite, callId);
    const first = post(suite, callId, 'playPrompt', { prompts: [PROMPT] });
    await new Promise((resolve) => setTimeout(resolve, 200));
    // This client gives up while its request waits behind the first.
    const gaveUp = await request(suite.service.url)
      .post(`/communications/calls/${callId}/playPrompt`)
      .set('Authorization', suite.auth)
      .send({ prompts: [PROMPT] })
      .timeout(200)
      .then(
        () => 'answered',
        (error: { timeout?: number }) => (error.timeout ? 'gave up' : 'failed'),
      );
    expect(gaveUp).toBe('gave up');
    await row.release();
    expect((await first).status).toBe(200);
    // The line moves on: a command sent now is served, it does not wait for ever behind the one that left.
    const next = await post(suite, callId, 'playPrompt', { prompts: [PROMPT] });
    expect(next.status).toBe(200);
    const operations = await request(suite.service.url)
      .get(`/communications/calls/${callId}/operations`)
      .set('Authorization', suite.auth);
    expect(operations.body.value).toHaveLength(2); // the abandoned prompt never ran
  });

  it('lets a cancel that waits in the line go before the prompts that came earlier', async () => {
    const callId = await establishedCall(suite.service);
    const row = await holdRow(suite, callId);
    const first = post(suite, callId, 'playPrompt', { prompts: [PROMPT] }); // runs, and waits for the row
    await new Promise((resolve) => setTimeout(resolve, 200));
    const order: string[] = [];
    const prompts = [1, 2].map(() =>
      post(suite, callId, 'playPrompt', { prompts: [PROMPT] }).then((res) => (order.push('prompt'), res)),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const cancel = post(suite, callId, 'cancelMediaProcessing', {}).then((res) => (order.push('cancel'), res));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await row.release();
    const [cancelled, ...played] = await Promise.all([cancel, first, ...prompts]);
    expect(cancelled.status).toBe(200);
    expect(played.map((res) => res.status)).toEqual([200, 200, 200]);
    expect(order[0]).toBe('cancel');
    // The cancel ended the first prompt only: the two that waited behind it were queued after it.
    expect(cancelled.body.cancelledOperations ?? []).toHaveLength(1);
  });
});
