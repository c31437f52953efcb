import request from 'supertest';
import { createSqliteDatabase, TestDatabase } from '../support/test-databases';
import {
  CREATE_CALL_BODY,
  eventually,
  PROMPT,
  establishedCall as createEstablishedCall,
  startTestApp,
  TestApp,
} from '../support/test-app';

/**
 * The embedded default (SQLite, dev issuer, simulated media plane with short
 * prompts): calls, the IVR queue as the media plane drives it, tone
 * subscription and hang-up, and what each bad body gets.
 */
describe('calls and media actions (HTTP, SQLite, simulated media plane)', () => {
  let database: TestDatabase;
  let service: TestApp;
  let auth: string;
  const PROMPT_MS = 300;

  beforeAll(async () => {
    database = await createSqliteDatabase();
    service = await startTestApp(database, { SIMULATED_PROMPT_MS: String(PROMPT_MS) });
    auth = `Bearer ${service.token()}`;
  });

  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  const api = () => request(service.url);
  const post = (path: string, body: unknown, token = auth) =>
    api()
      .post(path)
      .set('Authorization', token)
      .send(body as object);
  const get = (path: string) => api().get(path).set('Authorization', auth);

  const establishedCall = () => createEstablishedCall(service);

  it('creates a call (201, Location) that the media plane then establishes', async () => {
    const res = await post('/v1.0/communications/calls', CREATE_CALL_BODY);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      '@odata.type': '#microsoft.graph.call',
      state: 'establishing',
      callbackUri: CREATE_CALL_BODY.callbackUri,
      requestedModalities: ['audio'],
      mediaConfig: CREATE_CALL_BODY.mediaConfig,
      targets: CREATE_CALL_BODY.targets,
      source: CREATE_CALL_BODY.source,
      tenantId: 'tenant-a',
      direction: 'outgoing',
      // As Graph's create-call answer: its context under the client's prefix, a chain id, no media yet.
      '@odata.context': `${service.url}/v1.0/$metadata#communications/calls/$entity`,
      callChainId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      mediaState: null,
      toneInfo: null,
    });
    expect(res.body.callChainId).not.toBe(res.body.id);
    expect(res.headers.location).toBe(`${service.url}/v1.0/communications/calls/${res.body.id}`);
    const later = await eventually(
      () => get(`/communications/calls/${res.body.id}`),
      (r) => r.body.state === 'established',
    );
    expect(later.body).toMatchObject({
      state: 'established',
      '@odata.context': `${service.url}/$metadata#communications/calls/$entity`,
      callChainId: res.body.callChainId,
      mediaState: { '@odata.type': '#microsoft.graph.callMediaState', audio: 'active' },
    });
    const prompt = await post(`/communications/calls/${res.body.id}/playPrompt`, { prompts: [PROMPT] });
    const operation = await get(`/communications/calls/${res.body.id}/operations/${prompt.body.id}`);
    expect(operation.body['@odata.context']).toBe(
      `${service.url}/$metadata#communications/calls('${res.body.id}')/operations/$entity`,
    );
  });

  it('plays the queue in order, one at a time, each operation ending completed', async () => {
    const callId = await establishedCall();
    const first = await post(`/communications/calls/${callId}/playPrompt`, {
      prompts: [PROMPT],
      clientContext: 'first',
    });
    const second = await post(`/communications/calls/${callId}/playPrompt`, {
      prompts: [PROMPT],
      clientContext: 'second',
    });
    expect(first.status).toBe(200);
    expect(first.headers.location).toBe(`${service.url}/communications/calls/${callId}/operations/${first.body.id}`);
    expect([first.body.status, second.body.status]).toEqual(['running', 'notStarted']);

    const op = (id: string) => get(`/communications/calls/${callId}/operations/${id}`);
    const firstDone = await eventually(
      () => op(first.body.id),
      (r) => r.body.status === 'completed',
    );
    expect(firstDone.body.resultInfo).toEqual({
      '@odata.type': '#microsoft.graph.resultInfo',
      code: 200,
      subcode: 0,
      message: 'Action completed successfully.',
    });
    expect((await op(second.body.id)).body.status).toBe('running');
    const secondDone = await eventually(
      () => op(second.body.id),
      (r) => r.body.status === 'completed',
    );
    expect(secondDone.body.status).toBe('completed');
  });

  it('records with Graph defaults and answers a recordOperation', async () => {
    const callId = await establishedCall();
    const res = await post(`/communications/calls/${callId}/recordResponse`, { clientContext: 'rec' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      '@odata.type': '#microsoft.graph.recordOperation',
      status: 'running',
      clientContext: 'rec',
      recordingLocation: null,
      completionReason: null,
    });
  });

  it('hangs up (204): queued operations fail, the call is terminated, later actions get 404 Call not found', async () => {
    const callId = await establishedCall();
    const running = await post(`/communications/calls/${callId}/playPrompt`, { prompts: [PROMPT] });
    const queued = await post(`/communications/calls/${callId}/playPrompt`, { prompts: [PROMPT] });

    const res = await api().delete(`/communications/calls/${callId}`).set('Authorization', auth);
    expect(res.status).toBe(204);

    for (const id of [running.body.id, queued.body.id]) {
      const op = await get(`/communications/calls/${callId}/operations/${id}`);
      expect(op.body).toMatchObject({ status: 'failed', resultInfo: { code: 410 } });
    }
    expect((await get(`/communications/calls/${callId}`)).body.state).toBe('terminated');
    // Graph: a request on a call that has ended is 404 (the keepAlive page; bots see "Call not found.").
    const bodies: Record<string, object> = {
      playPrompt: { prompts: [PROMPT] },
      sendDtmfTones: { tones: ['tone1'] },
      updateRecordingStatus: { status: 'recording' },
    };
    for (const action of [
      'playPrompt',
      'recordResponse',
      'subscribeToTone',
      'cancelMediaProcessing',
      'keepAlive',
      'sendDtmfTones',
      'updateRecordingStatus',
    ]) {
      const later = await post(`/communications/calls/${callId}/${action}`, bodies[action] ?? {});
      expect({ action, status: later.status, error: later.body.error }).toEqual({
        action,
        status: 404,
        error: expect.objectContaining({ code: 'itemNotFound', message: 'Call not found.' }),
      });
    }
    const again = await api().delete(`/communications/calls/${callId}`).set('Authorization', auth);
    expect({ status: again.status, code: again.body.error?.code }).toEqual({ status: 404, code: 'itemNotFound' });
  });

  it('404 for GET and DELETE of an unknown call, and for an unknown operation', async () => {
    const unknown = '00000000-0000-4000-8000-00000000abcd';
    expect((await get(`/communications/calls/${unknown}`)).status).toBe(404);
    expect((await api().delete(`/communications/calls/${unknown}`).set('Authorization', auth)).status).toBe(404);
    const callId = await establishedCall();
    const res = await get(`/communications/calls/${callId}/operations/${unknown}`);
    expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 404, code: 'itemNotFound' });
  });

  it('403 for creating a call without Calls.Initiate.All', async () => {
    const res = await post(
      '/communications/calls',
      CREATE_CALL_BODY,
      `Bearer ${service.token({ roles: ['Calls.AccessMedia.All'] })}`,
    );
    expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 403, code: 'accessDenied' });
  });

  describe('bad bodies: 400 invalidRequest naming the problem, and nothing queued', () => {
    let callId: string;
    beforeAll(async () => {
      callId = await establishedCall();
    });
    afterEach(async () => {
      // Nothing was queued by a refused request: a cancel finds nothing to end.
      const cancel = await post(`/communications/calls/${callId}/cancelMediaProcessing`, {});
      expect(cancel.body.cancelledOperations).toEqual([]);
    });

    const many = (n: number) => Array.from({ length: n }, () => PROMPT);
    it.each([
      ['playPrompt', 'no prompts', {}, /^prompts must be an array$/],
      ['playPrompt', 'an empty prompt list', { prompts: [] }, /prompts must contain at least 1 elements/],
      ['playPrompt', '21 prompts', { prompts: many(21) }, /prompts must contain no more than 20 elements/],
      ['playPrompt', 'a prompt without a uri', { prompts: [{ mediaInfo: {} }] }, /prompts\[0\]\.mediaInfo\.uri/],
      [
        'playPrompt',
        'an http uri',
        { prompts: [{ mediaInfo: { uri: 'http://cdn.example.test/a.wav' } }] },
        /uri must be an https URL/,
      ],
      [
        'playPrompt',
        'a wrong prompt type',
        { prompts: [{ ...PROMPT, '@odata.type': '#microsoft.graph.textPrompt' }] },
        /@odata.type/,
      ],
      ['playPrompt', 'a long clientContext', { prompts: [PROMPT], clientContext: 'c'.repeat(257) }, /clientContext/],
      ['recordResponse', 'two prompts', { prompts: many(2) }, /prompts must contain no more than 1 elements/],
      [
        'recordResponse',
        'maxRecordDurationInSeconds 0',
        { maxRecordDurationInSeconds: 0 },
        /maxRecordDurationInSeconds must not be less than 1/,
      ],
      [
        'recordResponse',
        'maxRecordDurationInSeconds 121',
        { maxRecordDurationInSeconds: 121 },
        /maxRecordDurationInSeconds must not be greater than 120/,
      ],
      [
        'recordResponse',
        'initialSilenceTimeoutInSeconds 1.5',
        { initialSilenceTimeoutInSeconds: 1.5 },
        /initialSilenceTimeoutInSeconds must be an integer/,
      ],
      [
        'recordResponse',
        'maxSilenceTimeoutInSeconds as a string',
        { maxSilenceTimeoutInSeconds: '5' },
        /maxSilenceTimeoutInSeconds/,
      ],
      ['recordResponse', 'an unknown stop tone', { stopTones: ['#', 'X'] }, /stopTones/],
      ['recordResponse', 'playBeep as a string', { playBeep: 'yes' }, /playBeep must be a boolean/],
      ['subscribeToTone', 'an unknown property', { tones: ['1'] }, /property tones should not exist/],
    ])('%s with %s', async (action, _what, body, message) => {
      const res = await post(`/communications/calls/${callId}/${action}`, body);
      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 400, code: 'invalidRequest' });
      expect(res.body.error.message).toMatch(message);
    });
  });

  it.each([
    [
      'an http callbackUri to a public host',
      { callbackUri: 'http://bot.example.test/cb' },
      /callbackUri must be an absolute https URL/,
    ],
    ['no callbackUri', { callbackUri: undefined }, /callbackUri/],
    ['no modalities', { requestedModalities: [] }, /requestedModalities must contain at least 1 elements/],
    ['an unknown modality', { requestedModalities: ['smell'] }, /requestedModalities/],
    [
      'app-hosted media',
      { mediaConfig: { '@odata.type': '#microsoft.graph.appHostedMediaConfig' } },
      /app-hosted media is not supported/,
    ],
    ['another tenant', { tenantId: 'tenant-b' }, /tenantId must be the tenant of the caller/],
    ['an unknown property', { chatty: true }, /property chatty should not exist/],
  ])('create call with %s: 400 naming the problem', async (_what, change, message) => {
    const res = await post('/communications/calls', { ...CREATE_CALL_BODY, ...change });
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 400, code: 'invalidRequest' });
    expect(res.body.error.message).toMatch(message);
  });

  it('accepts a loopback http callbackUri outside production, for bots under development', async () => {
    const res = await post('/communications/calls', {
      ...CREATE_CALL_BODY,
      callbackUri: 'http://127.0.0.1:8443/callback',
    });
    expect(res.status).toBe(201);
  });
});
