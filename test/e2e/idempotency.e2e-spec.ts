import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { TEST_DATABASES } from '../support/test-databases';
import {
  CREATE_CALL_BODY,
  PROMPT,
  establishedCall as createEstablishedCall,
  serviceForSuite,
} from '../support/test-app';

/** Retries that do not double (HTTP). */
describe.each(TEST_DATABASES)('idempotent retries on %s', (_kind, create) => {
  const suite = serviceForSuite(create);

  const api = () => request(suite.service.url);
  const post = (path: string, body: object, headers: Record<string, string>, token = suite.auth) =>
    api().post(path).set('Authorization', token).set(headers).send(body);

  const establishedCall = () => createEstablishedCall(suite.service);

  /** How many operations the call had queued: a cancel ends them all and says which. */
  async function queuedCount(callId: string): Promise<number> {
    const cancel = await api()
      .post(`/communications/calls/${callId}/cancelMediaProcessing`)
      .set('Authorization', suite.auth)
      .send({});
    return cancel.body.cancelledOperations.length;
  }

  it('answers a retried playPrompt with the first answer and queues it once', async () => {
    const callId = await establishedCall();
    const key = { 'Idempotency-Key': randomUUID() };
    const first = await post(
      `/communications/calls/${callId}/playPrompt`,
      { prompts: [PROMPT], clientContext: 'once' },
      key,
    );
    const retry = await post(
      `/communications/calls/${callId}/playPrompt`,
      { clientContext: 'once', prompts: [PROMPT] },
      key,
    );

    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.location).toBe(first.headers.location);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(await queuedCount(callId)).toBe(1);
  });

  it("does not take Graph's client-request-id for a retry key: two identical prompts sharing one both play", async () => {
    const callId = await establishedCall();
    await post(`/communications/calls/${callId}/playPrompt`, { prompts: [PROMPT] }, {}); // keeps the next two queued
    const id = { 'client-request-id': randomUUID() };
    const first = await post(
      `/communications/calls/${callId}/playPrompt`,
      { prompts: [PROMPT], clientContext: 'c' },
      id,
    );
    const second = await post(
      `/communications/calls/${callId}/playPrompt`,
      { prompts: [PROMPT], clientContext: 'c' },
      id,
    );

    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.headers['client-request-id']).toBe(id['client-request-id']);
    expect(await queuedCount(callId)).toBe(3);
  });

  it('answers 422 for the same key with a different body, and changes nothing', async () => {
    const callId = await establishedCall();
    const key = { 'Idempotency-Key': randomUUID() };
    await post(`/communications/calls/${callId}/playPrompt`, { prompts: [PROMPT], clientContext: 'a' }, key);
    const other = await post(
      `/communications/calls/${callId}/playPrompt`,
      { prompts: [PROMPT], clientContext: 'b' },
      key,
    );
    expect({ status: other.status, code: other.body.error?.code }).toEqual({
      status: 422,
      code: 'unprocessableEntity',
    });
    expect(await queuedCount(callId)).toBe(1);
  });

  it('keeps keys per application: another app with the same key gets its own effect', async () => {
    const key = { 'Idempotency-Key': randomUUID() };
    const mine = await post('/communications/calls', CREATE_CALL_BODY, key);
    const theirs = await post(
      '/communications/calls',
      CREATE_CALL_BODY,
      key,
      `Bearer ${suite.service.token({ appId: 'app-b' })}`,
    );
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it('runs a failed request again on retry, since nothing happened', async () => {
    const key = { 'Idempotency-Key': randomUUID() };
    const unknown = '/communications/calls/00000000-0000-4000-8000-0000000000aa/playPrompt';
    expect((await post(unknown, { prompts: [PROMPT] }, key)).status).toBe(404);
    expect((await post(unknown, { prompts: [PROMPT] }, key)).status).toBe(404);
  });

  it('has one effect when the same request arrives twice at once', async () => {
    const callId = await establishedCall();
    const key = { 'Idempotency-Key': randomUUID() };
    const answers = await Promise.all(
      [1, 2].map(() => post(`/communications/calls/${callId}/playPrompt`, { prompts: [PROMPT] }, key)),
    );
    // No lease and no 409: the receipt commits with the prompt, and the run that lost gets the winner's answer.
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(answers[1].body.id).toBe(answers[0].body.id);
    expect(answers.map((a) => a.headers['idempotent-replayed']).sort()).toEqual(['true', undefined]);
    expect(await queuedCount(callId)).toBe(1);
  });

  it('refuses a key that is too long or not printable', async () => {
    const res = await post('/communications/calls', CREATE_CALL_BODY, { 'Idempotency-Key': 'k'.repeat(129) });
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 400, code: 'invalidRequest' });
  });
});
