import request from 'supertest';
import { createPlayPromptOperationFromDiscriminatorValue } from '@microsoft/msgraph-sdk/models/index.js';
import type { MediaPrompt, PlayPromptOperation } from '@microsoft/msgraph-sdk/models/index.js';
import { CALLS_ROUTE_PREFIXES } from '@calls/graph';
import { graphAdapter, postAction, serializePlayPromptPostRequestBody } from '../support/graph-sdk';
import { createPostgresDatabase } from '../support/test-databases';
import { PROMPT, establishedCall, serviceForSuite } from '../support/test-app';

/**
 * OData lets a client call a bound action by its namespace-qualified name
 * (Graph's sendDtmfTones page does; the .NET Communications SDK posts
 * `.../microsoft.graph.playPrompt`). Every action answers that form on every
 * prefix exactly as it answers its plain name.
 */
describe('namespace-qualified actions (HTTP, PostgreSQL)', () => {
  const suite = serviceForSuite(createPostgresDatabase);

  const ACTIONS: [string, object][] = [
    ['playPrompt', { prompts: [PROMPT], clientContext: 'c' }],
    ['recordResponse', { maxRecordDurationInSeconds: 1, clientContext: 'c' }],
    ['subscribeToTone', { clientContext: 'c' }],
    ['cancelMediaProcessing', { clientContext: 'c' }],
    ['keepAlive', {}],
    ['sendDtmfTones', { tones: ['tone1'], clientContext: 'c' }],
    ['updateRecordingStatus', { status: 'recording', clientContext: 'c' }],
  ];

  async function post(path: string, body: object) {
    return request(suite.service.url).post(path).set('Authorization', suite.auth).send(body);
  }

  /** What a client can compare between two answers of one action: status, type, Location's shape. */
  function shape(res: request.Response) {
    return {
      status: res.status,
      type: res.body?.['@odata.type'] ?? null,
      clientContext: res.body?.clientContext ?? null,
      location: (res.headers.location ?? '').replace(/[0-9a-f-]{36}/g, '{id}'),
    };
  }

  it('answers every action under microsoft.graph.{action} on every prefix as under its plain name', async () => {
    const callId = await establishedCall(suite.service);
    for (const prefix of CALLS_ROUTE_PREFIXES) {
      for (const [action, body] of ACTIONS) {
        const plain = await post(`/${prefix}/${callId}/${action}`, body);
        const qualified = await post(`/${prefix}/${callId}/microsoft.graph.${action}`, body);
        expect({ prefix, action, ...shape(qualified) }).toEqual({ prefix, action, ...shape(plain) });
        expect({ prefix, action, status: qualified.status }).toEqual({
          prefix,
          action,
          status: 200,
        });
      }
    }
  });

  it('refuses a qualified name with an unknown action or namespace as an unknown route: 404 itemNotFound', async () => {
    const callId = await establishedCall(suite.service);
    for (const path of ['microsoft.graph.nope', 'microsoft.graphx.playPrompt', 'graph.playPrompt']) {
      const res = await post(`/communications/calls/${callId}/${path}`, {});
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({
        path,
        status: 404,
        code: 'itemNotFound',
      });
    }
  });

  it('takes a retry through the other form as the same request (one Idempotency-Key, one operation)', async () => {
    const callId = await establishedCall(suite.service);
    const send = (path: string) =>
      request(suite.service.url)
        .post(`/communications/calls/${callId}/${path}`)
        .set('Authorization', suite.auth)
        .set('Idempotency-Key', `qualified-${callId}`)
        .send({ prompts: [PROMPT] });
    const first = await send('playPrompt');
    const retry = await send('microsoft.graph.playPrompt');
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(first.body.id);
  });

  it('is what the SDK posts when the bot names the qualified action', async () => {
    const callId = await establishedCall(suite.service);
    const operation: PlayPromptOperation | undefined = await postAction(
      graphAdapter(suite.service.url, suite.service.token()),
      callId,
      'microsoft.graph.playPrompt',
      {
        clientContext: 'sdk-qualified',
        // The SDK drops a mediaPrompt's mediaInfo; additionalData carries it (docs/api.md, "The Graph SDKs").
        prompts: [
          { odataType: '#microsoft.graph.mediaPrompt', additionalData: { mediaInfo: PROMPT.mediaInfo } } as MediaPrompt,
        ],
      },
      serializePlayPromptPostRequestBody,
      createPlayPromptOperationFromDiscriminatorValue,
    );
    expect(operation?.odataType).toBe('#microsoft.graph.playPromptOperation');
    expect(operation?.clientContext).toBe('sdk-qualified');
  });
});
