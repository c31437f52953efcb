import request from 'supertest';
import { createPostgresDatabase } from '../support/test-databases';
import { PROMPT, establishedCall as createEstablishedCall, serviceForSuite } from '../support/test-app';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('POST /communications/calls/{id}/cancelMediaProcessing (HTTP, PostgreSQL)', () => {
  const suite = serviceForSuite(createPostgresDatabase);

  const api = () => request(suite.service.url);

  const establishedCall = () => createEstablishedCall(suite.service);

  async function post(path: string, body: unknown, token = suite.auth) {
    return api()
      .post(path)
      .set('Authorization', token)
      .send(body as object);
  }

  async function operation(callId: string, operationId: string) {
    const res = await api()
      .get(`/communications/calls/${callId}/operations/${operationId}`)
      .set('Authorization', suite.auth);
    expect(res.status).toBe(200);
    return res.body;
  }

  it('cancels the running and queued operations, leaves the tone subscription, and answers Graph operation', async () => {
    const callId = await establishedCall();
    const tone = await post(`/communications/calls/${callId}/subscribeToTone`, { clientContext: 'tones' });
    const playing = await post(`/communications/calls/${callId}/playPrompt`, {
      prompts: [PROMPT],
      clientContext: 'p1',
    });
    const recording = await post(`/communications/calls/${callId}/recordResponse`, {
      prompts: [PROMPT],
      maxRecordDurationInSeconds: 10,
      clientContext: 'r1',
    });
    const queued = await post(`/communications/calls/${callId}/playPrompt`, { prompts: [PROMPT, PROMPT] });
    expect([tone.body.status, playing.body.status, recording.body.status, queued.body.status]).toEqual([
      'completed',
      'running',
      'notStarted',
      'notStarted',
    ]);

    const res = await post(`/communications/calls/${callId}/cancelMediaProcessing`, { clientContext: 'cancel-1' });

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      '@odata.type': '#microsoft.graph.cancelMediaProcessingOperation',
      id: expect.stringMatching(GUID),
      status: 'completed',
      clientContext: 'cancel-1',
      resultInfo: null,
      cancelledOperations: [
        {
          '@odata.type': '#microsoft.graph.playPromptOperation',
          id: playing.body.id,
          clientContext: 'p1',
          previousStatus: 'running',
          playedDuration: expect.stringMatching(/^PT\d+(\.\d+)?S$/),
        },
        {
          '@odata.type': '#microsoft.graph.recordOperation',
          id: recording.body.id,
          clientContext: 'r1',
          previousStatus: 'notStarted',
          playedDuration: 'PT0S',
        },
        {
          '@odata.type': '#microsoft.graph.playPromptOperation',
          id: queued.body.id,
          clientContext: null,
          previousStatus: 'notStarted',
          playedDuration: 'PT0S',
        },
      ],
    });
    expect(res.headers.location).toBe(`${suite.service.url}/communications/calls/${callId}/operations/${res.body.id}`);
    expect(res.headers['request-id']).toMatch(GUID);

    const cancelled = { code: 400, subcode: 8508, message: 'Action failed, the operation was cancelled.' };
    expect(await operation(callId, playing.body.id)).toMatchObject({ status: 'failed', resultInfo: cancelled });
    expect(await operation(callId, queued.body.id)).toMatchObject({ status: 'failed', resultInfo: cancelled });
    expect(await operation(callId, recording.body.id)).toMatchObject({
      '@odata.type': '#microsoft.graph.recordOperation',
      status: 'failed',
      resultInfo: cancelled,
      completionReason: 'operationCanceled',
      recordingLocation: '',
      recordingAccessToken: '',
    });
    expect(await operation(callId, tone.body.id)).toMatchObject({ status: 'completed' });
    expect(await operation(callId, res.body.id)).toMatchObject({ status: 'completed', clientContext: 'cancel-1' });
  });

  it('is a success that cancels nothing when nothing is queued, and a new prompt then starts at once', async () => {
    const callId = await establishedCall();
    await post(`/communications/calls/${callId}/playPrompt`, { prompts: [PROMPT] });
    await post(`/communications/calls/${callId}/cancelMediaProcessing`, {});

    const idle = await post(`/communications/calls/${callId}/cancelMediaProcessing`, {});
    expect(idle.status).toBe(200);
    expect(idle.body).toMatchObject({ status: 'completed', clientContext: null, cancelledOperations: [] });

    const next = await post(`/communications/calls/${callId}/playPrompt`, { prompts: [PROMPT] });
    expect(next.body.status).toBe('running');
  });

  it('answers under /app, /v1.0 and /beta, with Location under the prefix the client used', async () => {
    const callId = await establishedCall();
    for (const prefix of [
      '/app/calls',
      '/v1.0/communications/calls',
      '/beta/communications/calls',
      '/beta/app/calls',
      '/v1.0/app/calls',
    ]) {
      const res = await post(`${prefix}/${callId}/cancelMediaProcessing`, { clientContext: prefix });
      expect(res.status).toBe(200);
      expect(res.body.clientContext).toBe(prefix);
      const version = /^\/(v1\.0|beta)\//.exec(prefix)?.[0].slice(0, -1) ?? '';
      expect(res.headers.location).toBe(
        `${suite.service.url}${version}/communications/calls/${callId}/operations/${res.body.id}`,
      );
    }
  });

  it('echoes client-request-id and puts request ids in the error body', async () => {
    const res = await api()
      .post('/communications/calls/00000000-0000-4000-8000-000000000000/cancelMediaProcessing')
      .set('Authorization', suite.auth)
      .set('client-request-id', 'b1f4a3d2-0000-4000-8000-000000000001')
      .send({});
    expect(res.status).toBe(404);
    expect(res.headers['client-request-id']).toBe('b1f4a3d2-0000-4000-8000-000000000001');
    expect(res.body).toEqual({
      error: {
        code: 'itemNotFound',
        message: 'Call not found.',
        innerError: {
          'request-id': res.headers['request-id'],
          'client-request-id': 'b1f4a3d2-0000-4000-8000-000000000001',
          date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
        },
      },
    });
  });

  describe('refusals: each gets its status and a Graph error body, and changes nothing', () => {
    let callId: string;
    let runningId: string;

    beforeAll(async () => {
      callId = await establishedCall();
      runningId = (await post(`/communications/calls/${callId}/playPrompt`, { prompts: [PROMPT] })).body.id;
    });

    afterEach(async () => {
      expect(await operation(callId, runningId)).toMatchObject({ status: 'running' });
    });

    const cancelPath = () => `/communications/calls/${callId}/cancelMediaProcessing`;

    async function expectError(res: request.Response, status: number, code: string, message?: RegExp) {
      expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
      expect(res.body.error.innerError['request-id']).toBe(res.headers['request-id']);
      if (message) expect(res.body.error.message).toMatch(message);
    }

    it.each([
      [
        'clientContext over 256 characters',
        { clientContext: 'x'.repeat(257) },
        /clientContext must be shorter than or equal to 256/,
      ],
      ['clientContext not a string', { clientContext: 42 }, /clientContext must be a string/],
      ['an unknown property', { clientContext: 'a', operations: [] }, /property operations should not exist/],
      ['an array body', [], /must be a JSON object/],
      ['a null body', null, /must be a JSON object/],
      ['a string body', '"text"', /must be a JSON object/],
    ])('400 invalidRequest for %s', async (_what, body, message) => {
      const res = await api()
        .post(cancelPath())
        .set('Authorization', suite.auth)
        .set('Content-Type', 'application/json')
        .send(typeof body === 'string' ? body : JSON.stringify(body));
      await expectError(res, 400, 'invalidRequest', message);
    });

    it('400 for malformed JSON', async () => {
      const res = await api()
        .post(cancelPath())
        .set('Authorization', suite.auth)
        .set('Content-Type', 'application/json')
        .send('{"clientContext":');
      await expectError(res, 400, 'invalidRequest', /JSON/);
    });

    it('400 for a call id that is not a GUID', async () => {
      const res = await post('/communications/calls/not-a-guid/cancelMediaProcessing', {});
      await expectError(res, 400, 'invalidRequest', /Invalid callId 'not-a-guid': expected a GUID/);
    });

    it('415 for a body that is not JSON', async () => {
      const res = await api()
        .post(cancelPath())
        .set('Authorization', suite.auth)
        .set('Content-Type', 'text/plain')
        .send('stop');
      await expectError(res, 415, 'unsupportedMediaType', /application\/json/);
    });

    it('413 for a body over the limit', async () => {
      const res = await post(cancelPath(), { clientContext: 'x'.repeat(70 * 1024) });
      await expectError(res, 413, 'requestTooLarge');
    });

    it.each([
      ['no token', undefined, /Access token is empty/],
      ['a garbage token', 'Bearer not.a.jwt', /Access token validation failure/],
      ['the wrong scheme', 'Basic dXNlcjpwYXNz', /Access token is empty/],
    ])('401 InvalidAuthenticationToken for %s', async (_what, header, message) => {
      const req = api().post(cancelPath());
      if (header) req.set('Authorization', header);
      await expectError(await req.send({}), 401, 'InvalidAuthenticationToken', message);
    });

    it('401 for an expired token and for a token of another audience', async () => {
      await expectError(
        await post(cancelPath(), {}, `Bearer ${suite.service.token({ ttlSeconds: -120 })}`),
        401,
        'InvalidAuthenticationToken',
        /expired/,
      );
      await expectError(
        await post(cancelPath(), {}, `Bearer ${suite.service.token({ audience: 'api://other' })}`),
        401,
        'InvalidAuthenticationToken',
        /audience/,
      );
    });

    it('403 accessDenied for a delegated token, a personal account and a token without a calls role', async () => {
      await expectError(
        await post(cancelPath(), {}, `Bearer ${suite.service.token({ scp: 'Calls.Initiate' })}`),
        403,
        'accessDenied',
        /Delegated/,
      );
      await expectError(
        await post(
          cancelPath(),
          {},
          `Bearer ${suite.service.token({ tenantId: '9188040d-6c67-4c5b-b112-36a304b66dad' })}`,
        ),
        403,
        'accessDenied',
        /Personal/,
      );
      await expectError(
        await post(cancelPath(), {}, `Bearer ${suite.service.token({ roles: ['Calls.JoinGroupCall.All'] })}`),
        403,
        'accessDenied',
        /Calls.Initiate.All, Calls.AccessMedia.All/,
      );
    });

    it('403 for recordResponse with only Calls.Initiate.All', async () => {
      const res = await post(
        `/communications/calls/${callId}/recordResponse`,
        {},
        `Bearer ${suite.service.token({ roles: ['Calls.Initiate.All'] })}`,
      );
      await expectError(res, 403, 'accessDenied', /Calls.AccessMedia.All/);
    });

    it('404 itemNotFound, as for an unknown call, for another tenant and for another app of the same tenant', async () => {
      for (const stranger of [{ tenantId: 'tenant-b' }, { appId: 'app-b' }]) {
        const res = await post(cancelPath(), {}, `Bearer ${suite.service.token(stranger)}`);
        await expectError(res, 404, 'itemNotFound', /^Call not found\.$/);
        const read = await api()
          .get(`/communications/calls/${callId}/operations/${runningId}`)
          .set('Authorization', `Bearer ${suite.service.token(stranger)}`);
        await expectError(read, 404, 'itemNotFound');
      }
    });
  });
});
