import {
  createCancelMediaProcessingOperationFromDiscriminatorValue,
  createPlayPromptOperationFromDiscriminatorValue,
} from '@microsoft/msgraph-sdk/models/index.js';
import type {
  CancelMediaProcessingOperation,
  MediaPrompt,
  PlayPromptOperation,
} from '@microsoft/msgraph-sdk/models/index.js';
import request from 'supertest';
import { cancelMediaProcessing, graphAdapter, playPrompt, sdkError } from '../support/graph-sdk';
import { createPostgresDatabase, TestDatabase } from '../support/test-databases';
import { CREATE_CALL_BODY, eventually, PROMPT, startTestApp, TestApp } from '../support/test-app';

/**
 * Drives the service with the official Graph SDK's request adapter (Kiota),
 * pointed at the service as its base URL, and parses the answers with the
 * SDK's own parsers, exactly as the generated request builder does.
 */
describe('Graph SDK (Kiota) against the service', () => {
  let database: TestDatabase;
  let service: TestApp;
  let token: string;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    service = await startTestApp(database);
    token = service.token();
  });

  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  async function callWithPrompt(): Promise<{ callId: string; promptId: string }> {
    const auth = `Bearer ${token}`;
    const callId = (
      await request(service.url).post('/communications/calls').set('Authorization', auth).send(CREATE_CALL_BODY)
    ).body.id;
    await eventually(
      () => request(service.url).get(`/communications/calls/${callId}`).set('Authorization', auth),
      (res) => res.body.state === 'established',
    );
    const prompt = await request(service.url)
      .post(`/communications/calls/${callId}/playPrompt`)
      .set('Authorization', auth)
      .send({ prompts: [PROMPT] });
    return { callId, promptId: prompt.body.id };
  }

  it('parses the answer as the SDK CancelMediaProcessingOperation', async () => {
    const { callId, promptId } = await callWithPrompt();

    const operation: CancelMediaProcessingOperation | undefined = await cancelMediaProcessing(
      graphAdapter(service.url, token),
      callId,
      { clientContext: 'sdk-cancel' },
      createCancelMediaProcessingOperationFromDiscriminatorValue,
    );

    expect(operation?.odataType).toBe('#microsoft.graph.cancelMediaProcessingOperation');
    expect(operation?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(operation?.clientContext).toBe('sdk-cancel');
    // Kiota reads the wire's `resultInfo: null` as an empty object.
    expect(operation?.resultInfo?.code).toBeUndefined();
    // The SDK maps status through enum member names (Completed ...), so the documented
    // lowercase wire value is read from the raw answer below, not from the parsed enum.
    const cancelled = operation?.additionalData?.cancelledOperations as { id: string }[] | undefined;
    expect(cancelled?.map((ref) => ref.id)).toEqual([promptId]);

    const raw = await request(service.url)
      .get(`/communications/calls/${callId}/operations/${operation!.id}`)
      .set('Authorization', `Bearer ${token}`);
    expect(raw.body.status).toBe('completed');
  });

  it('surfaces a Graph error as the SDK ODataError with status, code and message', async () => {
    const error = await sdkError(
      cancelMediaProcessing(
        graphAdapter(service.url, token),
        '00000000-0000-4000-8000-000000000042',
        { clientContext: 'x' },
        createCancelMediaProcessingOperationFromDiscriminatorValue,
      ),
    );
    expect(error?.responseStatusCode).toBe(404);
    const main = error?.errorEscaped;
    expect(main?.code).toBe('itemNotFound');
    expect(main?.message).toBe('Call not found.');
    expect(main?.innerError?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(main?.innerError?.date).toBeInstanceOf(Date);
  });

  it('surfaces an expired token as a 401 ODataError', async () => {
    const { callId } = await callWithPrompt();
    const error = await sdkError(
      cancelMediaProcessing(
        graphAdapter(service.url, service.token({ ttlSeconds: -300 })),
        callId,
        { clientContext: 'x' },
        createCancelMediaProcessingOperationFromDiscriminatorValue,
      ),
    );
    expect(error?.responseStatusCode).toBe(401);
    expect(error?.errorEscaped?.code).toBe('InvalidAuthenticationToken');
  });

  const MEDIA_INFO = { '@odata.type': '#microsoft.graph.mediaInfo', uri: 'https://cdn.example.test/hello.wav' };

  it("answers the SDK's bare prompt (its serializer drops mediaInfo) with a 400 ODataError naming prompts[0].mediaInfo", async () => {
    const { callId } = await callWithPrompt();
    const prompt: MediaPrompt = { odataType: '#microsoft.graph.mediaPrompt', mediaInfo: { uri: MEDIA_INFO.uri } };
    const error = await sdkError(
      playPrompt(
        graphAdapter(service.url, token),
        callId,
        { prompts: [prompt] },
        createPlayPromptOperationFromDiscriminatorValue,
      ),
    );
    expect(error?.responseStatusCode).toBe(400);
    expect(error?.errorEscaped?.code).toBe('invalidRequest');
    expect(error?.errorEscaped?.message).toMatch(/^prompts\[0\]\.mediaInfo must be an object/);
  });

  it('plays a prompt whose mediaInfo travels in additionalData (the workaround in docs/api.md), and cancels it', async () => {
    const { callId, promptId } = await callWithPrompt();
    const adapter = graphAdapter(service.url, token);
    const prompt: MediaPrompt = {
      odataType: '#microsoft.graph.mediaPrompt',
      additionalData: { mediaInfo: MEDIA_INFO },
    };

    const played = await playPrompt<PlayPromptOperation>(
      adapter,
      callId,
      { prompts: [prompt], clientContext: 'sdk-play' },
      createPlayPromptOperationFromDiscriminatorValue,
    );
    expect(played?.odataType).toBe('#microsoft.graph.playPromptOperation');
    expect(played?.clientContext).toBe('sdk-play');

    const cancel = await cancelMediaProcessing<CancelMediaProcessingOperation>(
      adapter,
      callId,
      { clientContext: 'sdk-stop' },
      createCancelMediaProcessingOperationFromDiscriminatorValue,
    );
    const cancelled = cancel?.additionalData?.cancelledOperations as { id: string }[];
    expect(cancelled.map((ref) => ref.id)).toEqual([promptId, played!.id]);
    const stored = await request(service.url)
      .get(`/communications/calls/${callId}/operations/${played!.id}`)
      .set('Authorization', `Bearer ${token}`);
    expect(stored.body).toMatchObject({ status: 'failed', resultInfo: { code: 400, subcode: 8508 } });
  });
});
