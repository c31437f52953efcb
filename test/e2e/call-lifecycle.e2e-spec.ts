import { createCommsOperationCollectionResponseFromDiscriminatorValue } from '@microsoft/msgraph-sdk/models/index.js';
import type { CommsOperationCollectionResponse } from '@microsoft/msgraph-sdk/models/index.js';
import request from 'supertest';
import { CallbackReceiver } from '../support/callback-receiver';
import { graphAdapter, keepAlive, listOperations, sdkError } from '../support/graph-sdk';
import { createPostgresDatabase } from '../support/test-databases';
import { CREATE_CALL_BODY, establishedCall, OWNER, PROMPT, serviceForSuite } from '../support/test-app';
import { until } from '../support/waits';

/**
 * A call from creation to its end as Graph describes it: the create body kept
 * as sent, the list of its operations, keepAlive, and the notifications of
 * its life (HTTP and the Graph SDK, PostgreSQL, the in-process notifier).
 */
describe('call lifecycle (HTTP, PostgreSQL)', () => {
  const receiver = new CallbackReceiver();
  const suite = serviceForSuite(createPostgresDatabase, { OUTBOX_POLL_MS: '50', NOTIFIER_POLL_MS: '50' });

  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  const api = () => request(suite.service.url);
  const call = (callId: string) => `/communications/calls/${callId}`;
  const post = (path: string, body: object = {}) => api().post(path).set('Authorization', suite.auth).send(body);
  const get = (path: string, auth = suite.auth) => api().get(path).set('Authorization', auth);

  describe('create call', () => {
    const FULL_BODY = {
      ...CREATE_CALL_BODY,
      subject: 'Support line',
      tenantId: OWNER.tenantId,
      callOptions: { '@odata.type': '#microsoft.graph.outgoingCallOptions', isContentSharingNotificationEnabled: true },
      chatInfo: { '@odata.type': '#microsoft.graph.chatInfo', threadId: '19:meeting@thread.v2', messageId: '0' },
      meetingInfo: {
        '@odata.type': '#microsoft.graph.organizerMeetingInfo',
        organizer: { '@odata.type': '#microsoft.graph.identitySet', user: { id: 'organizer-1' } },
      },
    };

    it('keeps every property of the body as sent and returns it on the answer and on GET', async () => {
      const created = await post('/communications/calls', FULL_BODY);
      expect(created.status).toBe(201);
      const fetched = await get(call(created.body.id));
      for (const body of [created.body, fetched.body]) {
        expect(body).toMatchObject({
          subject: FULL_BODY.subject,
          tenantId: FULL_BODY.tenantId,
          callOptions: FULL_BODY.callOptions,
          chatInfo: FULL_BODY.chatInfo,
          meetingInfo: FULL_BODY.meetingInfo,
          source: FULL_BODY.source,
          targets: FULL_BODY.targets,
          requestedModalities: FULL_BODY.requestedModalities,
          mediaConfig: FULL_BODY.mediaConfig,
          callbackUri: FULL_BODY.callbackUri,
        });
      }
    });

    it('shows the calling application as the source when the body names none, as Graph does', async () => {
      const { source: _source, ...withoutSource } = CREATE_CALL_BODY;
      const created = await post('/communications/calls', withoutSource);
      expect(created.body.source).toEqual({
        '@odata.type': '#microsoft.graph.participantInfo',
        identity: {
          '@odata.type': '#microsoft.graph.identitySet',
          application: { '@odata.type': '#microsoft.graph.identity', id: OWNER.appId },
        },
      });
    });

    it.each([
      ['a read-only property', { state: 'established' }, /property state should not exist/],
      ['a property this service cannot honour', { callRoutes: [] }, /property callRoutes should not exist/],
      ['app-hosted media', { mediaConfig: { '@odata.type': '#microsoft.graph.appHostedMediaConfig' } }, /app-hosted/],
      ['another tenant', { tenantId: 'tenant-b' }, /tenantId must be the tenant/],
      ['chatInfo that is not an object', { chatInfo: 'thread' }, /chatInfo must be an object/],
    ])('refuses %s with a 400 that names it, instead of accepting and dropping it', async (_case, extra, message) => {
      const res = await post('/communications/calls', { ...CREATE_CALL_BODY, ...extra });
      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 400, code: 'invalidRequest' });
      expect(res.body.error.message).toMatch(message);
    });
  });

  describe("a call's operations", () => {
    it('lists them in creation order in pages, read with the SDK collection parser and its nextLink', async () => {
      const callId = await establishedCall(suite.service);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await post(`${call(callId)}/playPrompt`, { prompts: [PROMPT] })).body.id);
      ids.push((await post(`${call(callId)}/cancelMediaProcessing`)).body.id);
      const adapter = graphAdapter(suite.service.url, suite.service.token());

      const first = await listOperations<CommsOperationCollectionResponse>(
        adapter,
        { callId, top: 3 },
        createCommsOperationCollectionResponseFromDiscriminatorValue,
      );
      expect(first?.value?.map((op) => op.id)).toEqual(ids.slice(0, 3));
      expect(first?.value?.map((op) => op.odataType)).toEqual([
        '#microsoft.graph.playPromptOperation',
        '#microsoft.graph.playPromptOperation',
        '#microsoft.graph.playPromptOperation',
      ]);
      expect(first?.odataNextLink).toMatch(new RegExp(`^${suite.service.url}/v1.0${call(callId)}/operations\\?`));
      const second = await listOperations<CommsOperationCollectionResponse>(
        adapter,
        { nextLink: first!.odataNextLink! },
        createCommsOperationCollectionResponseFromDiscriminatorValue,
      );
      expect(second?.value?.map((op) => op.id)).toEqual([ids[3]]);
      expect(second?.odataNextLink).toBeUndefined();

      const all = await get(`${call(callId)}/operations`);
      expect(all.body.value.map((op: { id: string }) => op.id)).toEqual(ids);
      expect(all.body.value[3].cancelledOperations).toHaveLength(3);
      expect(all.body['@odata.nextLink']).toBeUndefined();
    });

    it('answers a call with no operation yet with an empty collection', async () => {
      const created = await post('/communications/calls', CREATE_CALL_BODY);
      expect((await get(`${call(created.body.id)}/operations`)).body.value).toEqual([]);
    });

    it("answers 404 for another owner's call, and 400 naming $top out of its range", async () => {
      const callId = await establishedCall(suite.service);
      const stranger = `Bearer ${suite.service.token({ appId: 'app-b' })}`;
      const foreign = await get(`${call(callId)}/operations`, stranger);
      expect({ status: foreign.status, code: foreign.body.error.code }).toEqual({ status: 404, code: 'itemNotFound' });
      for (const top of ['0', '101', 'ten']) {
        const res = await get(`${call(callId)}/operations?$top=${top}`);
        expect({ top, status: res.status, message: res.body.error.message }).toEqual({
          top,
          status: 400,
          message: expect.stringContaining('$top'),
        });
      }
    });
  });

  describe('keepAlive', () => {
    it('answers 200 with no body, through HTTP and the SDK, and 404 once the call has ended', async () => {
      const callId = await establishedCall(suite.service);
      const res = await post(`${call(callId)}/keepAlive`);
      expect({ status: res.status, body: res.text }).toEqual({ status: 200, body: '' });
      const adapter = graphAdapter(suite.service.url, suite.service.token());
      expect(await sdkError(keepAlive(adapter, callId))).toBeNull();

      await api().delete(call(callId)).set('Authorization', suite.auth);
      const ended = await post(`${call(callId)}/keepAlive`);
      expect({ status: ended.status, code: ended.body.error.code }).toEqual({ status: 404, code: 'itemNotFound' });
      const viaSdk = await sdkError(keepAlive(adapter, callId));
      expect(viaSdk?.responseStatusCode).toBe(404);
    });

    it('takes the roles of GET, and refuses a token without them', async () => {
      const callId = await establishedCall(suite.service);
      const res = await api()
        .post(`${call(callId)}/keepAlive`)
        .set('Authorization', `Bearer ${suite.service.token({ roles: ['Calls.JoinGroupCall.All'] })}`);
      expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 403, code: 'accessDenied' });
    });
  });

  describe('notifications of a call', () => {
    it('tells the bot establishing, then established, and on hang-up terminated with why (200/7000)', async () => {
      const callId = (await post('/communications/calls', { ...CREATE_CALL_BODY, callbackUri: receiver.url })).body.id;
      const aboutCall = () => receiver.received.filter((n) => n.body.value[0].resourceUrl === call(callId));
      await until(() => aboutCall().length >= 2);
      await api().delete(call(callId)).set('Authorization', suite.auth);
      await until(() => aboutCall().length >= 3);

      expect(aboutCall().map((n) => [n.body.value[0].changeType, n.body.value[0].resourceData.state])).toEqual([
        ['updated', 'establishing'],
        ['updated', 'established'],
        ['deleted', 'terminated'],
      ]);
      const ended = {
        '@odata.type': '#microsoft.graph.resultInfo',
        code: 200,
        subcode: 7000,
        message: 'The conversation has ended by bot.',
      };
      expect(aboutCall()[2].body.value[0].resourceData.resultInfo).toEqual(ended);
      expect((await get(call(callId))).body).toMatchObject({ state: 'terminated', resultInfo: ended });
    });
  });
});
