import {
  AllowedHostsValidator,
  BaseBearerTokenAuthenticationProvider,
  HttpMethod,
  RequestInformation,
} from '@microsoft/kiota-abstractions';
import type { AccessTokenProvider } from '@microsoft/kiota-abstractions';
import { GraphRequestAdapter } from '@microsoft/msgraph-sdk';
import { createCancelMediaProcessingOperationFromDiscriminatorValue } from '@microsoft/msgraph-sdk/models/index.js';
import type { CancelMediaProcessingOperation } from '@microsoft/msgraph-sdk/models/index.js';
import { createODataErrorFromDiscriminatorValue } from '@microsoft/msgraph-sdk/models/oDataErrors/index.js';
import type { ODataError } from '@microsoft/msgraph-sdk/models/oDataErrors/index.js';
import request from 'supertest';
import { createPostgresDatabase, TestDatabase } from '../support/test-databases';
import { CREATE_CALL_BODY, eventually, PROMPT, startTestApp, TestApp } from '../support/test-app';

/** The URL template of the SDK's CancelMediaProcessingRequestBuilder, as generated from Graph's metadata. */
const CANCEL_URL_TEMPLATE = '{+baseurl}/communications/calls/{call%2Did}/cancelMediaProcessing';

/**
 * Drives the service with the official Graph SDK's request adapter (Kiota),
 * pointed at the service as its base URL, and parses the answers with the
 * SDK's own parsers, exactly as the generated request builder does.
 */
describe('Graph SDK (Kiota) against the service', () => {
  let database: TestDatabase;
  let service: TestApp;
  let token: string;

  function adapterFor(accessToken: string): GraphRequestAdapter {
    const tokens: AccessTokenProvider = {
      getAuthorizationToken: async () => accessToken,
      getAllowedHostsValidator: () => new AllowedHostsValidator(new Set(['127.0.0.1'])),
    };
    const adapter = new GraphRequestAdapter(new BaseBearerTokenAuthenticationProvider(tokens));
    adapter.baseUrl = `${service.url}/v1.0`;
    return adapter;
  }

  function cancelRequest(callId: string, clientContext: string): RequestInformation {
    const info = new RequestInformation(HttpMethod.POST, CANCEL_URL_TEMPLATE);
    info.pathParameters['call%2Did'] = callId;
    info.headers.tryAdd('Accept', 'application/json');
    const body = JSON.stringify({ clientContext });
    info.setStreamContent(new TextEncoder().encode(body).buffer as ArrayBuffer, 'application/json');
    return info;
  }

  function send(adapter: GraphRequestAdapter, info: RequestInformation) {
    return adapter.send<CancelMediaProcessingOperation>(
      info,
      createCancelMediaProcessingOperationFromDiscriminatorValue,
      {
        XXX: createODataErrorFromDiscriminatorValue as never,
      },
    );
  }

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

    const operation = await send(adapterFor(token), cancelRequest(callId, 'sdk-cancel'));

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
    const error = await send(adapterFor(token), cancelRequest('00000000-0000-4000-8000-000000000042', 'x')).then(
      () => null,
      (thrown: unknown) => thrown as ODataError,
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
    const error = await send(adapterFor(service.token({ ttlSeconds: -300 })), cancelRequest(callId, 'x')).then(
      () => null,
      (thrown: unknown) => thrown as ODataError,
    );
    expect(error?.responseStatusCode).toBe(401);
    expect(error?.errorEscaped?.code).toBe('InvalidAuthenticationToken');
  });
});
