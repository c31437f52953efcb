import request from 'supertest';
import { createPostgresDatabase } from '../support/test-databases';
import { eventually, establishedCall, PROMPT, serviceForSuite } from '../support/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Graph beta's `loop` on playPrompt: the prompt plays until it is cancelled
 * or the call ends (hold music, the case cancelMediaProcessing exists for),
 * and the beta playPromptOperation says how it ended in `completionReason`
 * (https://learn.microsoft.com/en-us/graph/api/call-playprompt?view=graph-rest-beta).
 * v1.0 has neither (HTTP, PostgreSQL).
 */
describe('playPrompt with loop on /beta (HTTP, PostgreSQL)', () => {
  const PROMPT_MS = 100;
  const suite = serviceForSuite(createPostgresDatabase, { SIMULATED_PROMPT_MS: String(PROMPT_MS) });

  const post = (path: string, body: object) =>
    request(suite.service.url).post(path).set('Authorization', suite.auth).send(body);
  const get = (path: string) => request(suite.service.url).get(path).set('Authorization', suite.auth);

  it('plays until cancelled, then ends failed 400/8508 with completionReason mediaOperationCanceled on beta', async () => {
    const callId = await establishedCall(suite.service);
    const looping = await post(`/beta/communications/calls/${callId}/playPrompt`, {
      prompts: [PROMPT],
      loop: true,
      clientContext: 'hold-music',
    });
    expect(looping.status).toBe(200);
    expect(looping.body).toMatchObject({ status: 'running', completionReason: null });
    const queued = await post(`/beta/communications/calls/${callId}/playPrompt`, { prompts: [PROMPT] });
    expect(queued.body.status).toBe('notStarted');

    await sleep(PROMPT_MS * 6); // six times the prompt's length
    const op = (id: string, prefix = '/beta') => get(`${prefix}/communications/calls/${callId}/operations/${id}`);
    expect((await op(looping.body.id)).body.status).toBe('running');
    expect((await op(queued.body.id)).body.status).toBe('notStarted');

    // scope "current": the loop stops, and the prompt queued behind it plays to its end.
    const cancel = await post(`/beta/communications/calls/${callId}/cancelMediaProcessing`, { scope: 'current' });
    expect(cancel.body.cancelledOperations.map((ref: { id: string }) => ref.id)).toEqual([looping.body.id]);
    expect((await op(looping.body.id)).body).toMatchObject({
      status: 'failed',
      resultInfo: { code: 400, subcode: 8508 },
      completionReason: 'mediaOperationCanceled',
    });
    const done = await eventually(
      () => op(queued.body.id),
      (res) => res.body.status === 'completed',
    );
    expect(done.body.completionReason).toBe('completedSuccessfully');
    // v1.0's playPromptOperation has no completionReason.
    expect((await op(looping.body.id, '/v1.0')).body).not.toHaveProperty('completionReason');
  });

  it('ends a loop with the call: failed 410, mediaOperationCanceled', async () => {
    const callId = await establishedCall(suite.service);
    const looping = await post(`/beta/communications/calls/${callId}/playPrompt`, { prompts: [PROMPT], loop: true });
    await sleep(PROMPT_MS * 3);
    expect(
      (await request(suite.service.url).delete(`/communications/calls/${callId}`).set('Authorization', suite.auth))
        .status,
    ).toBe(204);
    expect((await get(`/beta/communications/calls/${callId}/operations/${looping.body.id}`)).body).toMatchObject({
      status: 'failed',
      resultInfo: { code: 410 },
      completionReason: 'mediaOperationCanceled',
    });
  });

  it('refuses loop on /v1.0 and without a version, and a loop that is not a boolean, with 400 invalidRequest', async () => {
    const callId = await establishedCall(suite.service);
    const cases: [string, object, string][] = [
      ['/v1.0', { prompts: [PROMPT], loop: true }, 'property loop should not exist'],
      ['', { prompts: [PROMPT], loop: false }, 'property loop should not exist'],
      ['/beta', { prompts: [PROMPT], loop: 'yes' }, 'loop must be a boolean value'],
    ];
    for (const [prefix, body, message] of cases) {
      const res = await post(`${prefix}/communications/calls/${callId}/playPrompt`, body);
      expect({ prefix, status: res.status, code: res.body.error?.code, message: res.body.error?.message }).toEqual({
        prefix,
        status: 400,
        code: 'invalidRequest',
        message: expect.stringContaining(message),
      });
    }
    const listed = await get(`/communications/calls/${callId}/operations`);
    expect(listed.body.value).toEqual([]);
  });
});
