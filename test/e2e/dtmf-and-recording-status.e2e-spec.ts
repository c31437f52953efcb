import request from 'supertest';
import {
  createSendDtmfTonesOperationFromDiscriminatorValue,
  createUpdateRecordingStatusOperationFromDiscriminatorValue,
} from '@microsoft/msgraph-sdk/models/index.js';
import type { SendDtmfTonesOperation, UpdateRecordingStatusOperation } from '@microsoft/msgraph-sdk/models/index.js';
import type { AdditionalDataHolder, Parsable, SerializationWriter } from '@microsoft/kiota-abstractions';
import { Roles } from '@calls/auth';
import { CallbackReceiver } from '../support/callback-receiver';
import { graphAdapter, hangUp, postAction, sdkError } from '../support/graph-sdk';
import { createPostgresDatabase } from '../support/test-databases';
import { eventually, notifiedCall, PROMPT, serviceForSuite } from '../support/test-app';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The SDK's body of sendDtmfTones, written as its generated serializer writes it. */
interface SendDtmfTonesPostRequestBody extends AdditionalDataHolder, Parsable {
  clientContext?: string | null;
  tones?: string[] | null;
  delayBetweenTonesMs?: number | null;
}
function serializeSendDtmfTonesPostRequestBody(
  writer: SerializationWriter,
  body: Partial<SendDtmfTonesPostRequestBody> | null = {},
) {
  writer.writeStringValue('clientContext', body?.clientContext);
  writer.writeNumberValue('delayBetweenTonesMs', body?.delayBetweenTonesMs);
  writer.writeCollectionOfPrimitiveValues<string>('tones', body?.tones);
  writer.writeAdditionalData(body?.additionalData);
}

/** The SDK's body of updateRecordingStatus, written as its generated serializer writes it. */
interface UpdateRecordingStatusPostRequestBody extends AdditionalDataHolder, Parsable {
  clientContext?: string | null;
  status?: string | null;
}
function serializeUpdateRecordingStatusPostRequestBody(
  writer: SerializationWriter,
  body: Partial<UpdateRecordingStatusPostRequestBody> | null = {},
) {
  writer.writeStringValue('clientContext', body?.clientContext);
  writer.writeStringValue('status', body?.status);
  writer.writeAdditionalData(body?.additionalData);
}

/**
 * sendDtmfTones and updateRecordingStatus as Graph documents them
 * (https://learn.microsoft.com/en-us/graph/api/call-senddtmftones,
 * https://learn.microsoft.com/en-us/graph/api/call-updaterecordingstatus),
 * over HTTP on PostgreSQL, with the bot's notifications.
 */
describe('sendDtmfTones and updateRecordingStatus (HTTP, PostgreSQL)', () => {
  const receiver = new CallbackReceiver();
  const suite = serviceForSuite(createPostgresDatabase, { OUTBOX_POLL_MS: '50', NOTIFIER_POLL_MS: '50' });

  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  const post = (path: string, body: object, auth = suite.auth) =>
    request(suite.service.url).post(path).set('Authorization', auth).send(body);
  const get = (path: string) => request(suite.service.url).get(path).set('Authorization', suite.auth);
  /** The notifications that arrived about one operation. */
  const notificationsOf = (operationId: string) =>
    receiver.received.filter((n) => n.body.value[0].resourceUrl.endsWith(`/operations/${operationId}`));

  describe('sendDtmfTones', () => {
    it('answers a running sendDtmfTonesOperation, then completes it and tells the bot completedSuccessfully', async () => {
      const callId = await notifiedCall(suite.service, receiver);
      const res = await post(`/communications/calls/${callId}/sendDtmfTones`, {
        tones: ['tone1', 'tone2', 'star', 'pound'],
        delayBetweenTonesMs: 100,
        clientContext: 'dtmf-1',
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        '@odata.type': '#microsoft.graph.sendDtmfTonesOperation',
        id: expect.stringMatching(GUID),
        status: 'running',
        clientContext: 'dtmf-1',
        resultInfo: null,
        completionReason: null,
      });
      expect(res.headers.location).toBe(
        `${suite.service.url}/communications/calls/${callId}/operations/${res.body.id}`,
      );

      const done = await eventually(
        () => get(`/communications/calls/${callId}/operations/${res.body.id}`),
        (r) => r.body.status !== 'running',
      );
      expect(done.body).toMatchObject({
        status: 'completed',
        completionReason: 'completedSuccessfully',
        resultInfo: { code: 200, subcode: 0 },
      });
      await eventually(
        async () => notificationsOf(res.body.id),
        (found) => found.length > 0,
      );
      expect(notificationsOf(res.body.id).map((n) => n.body.value[0])).toEqual([
        expect.objectContaining({
          changeType: 'deleted',
          resourceData: expect.objectContaining({
            '@odata.type': '#microsoft.graph.sendDtmfTonesOperation',
            status: 'completed',
            completionReason: 'completedSuccessfully',
            clientContext: 'dtmf-1',
          }),
        }),
      ]);
    });

    it('waits in the media queue, survives cancelMediaProcessing, and ends mediaOperationCanceled on hang-up', async () => {
      const callId = await notifiedCall(suite.service, receiver);
      const prompt = await post(`/communications/calls/${callId}/playPrompt`, { prompts: [PROMPT] });
      const long = { tones: Array(20).fill('tone9'), delayBetweenTonesMs: 1000 };
      const first = await post(`/communications/calls/${callId}/sendDtmfTones`, long);
      const second = await post(`/communications/calls/${callId}/sendDtmfTones`, long);
      expect([prompt.body.status, first.body.status, second.body.status]).toEqual([
        'running',
        'notStarted',
        'notStarted',
      ]);

      // The cancel ends the prompt only; the first sequence, now at the head, starts.
      const cancel = await post(`/communications/calls/${callId}/cancelMediaProcessing`, {});
      expect(cancel.body.cancelledOperations.map((op: { id: string }) => op.id)).toEqual([prompt.body.id]);
      expect((await get(`/communications/calls/${callId}/operations/${first.body.id}`)).body.status).toBe('running');
      // Named by id, a sequence is reported as not cancelled, with its status.
      const named = await post(`/communications/calls/${callId}/cancelMediaProcessing`, {
        operationIds: [first.body.id],
      });
      expect(named.body).toMatchObject({
        cancelledOperations: [],
        notCancelledOperations: [{ id: first.body.id, status: 'running' }],
      });

      const hangUp = await request(suite.service.url)
        .delete(`/communications/calls/${callId}`)
        .set('Authorization', suite.auth);
      expect(hangUp.status).toBe(204);
      for (const id of [first.body.id, second.body.id]) {
        const ended = await get(`/communications/calls/${callId}/operations/${id}`);
        expect(ended.body).toMatchObject({
          status: 'failed',
          completionReason: 'mediaOperationCanceled',
          resultInfo: { code: 410, subcode: 0 },
        });
      }
    });

    it('refuses bad bodies with 400 invalidRequest naming the field, and creates nothing', async () => {
      const callId = await notifiedCall(suite.service, receiver);
      const cases: [object, string][] = [
        [{}, 'tones'],
        [{ tones: [] }, 'tones must contain at least 1 elements'],
        [{ tones: ['5'] }, 'tones[0] must be one of the following values'],
        [{ tones: ['tone1', null] }, 'tones[1] must be one of the following values'],
        [{ tones: 'tone1' }, 'tones must be an array'],
        [{ tones: Array(65).fill('tone1') }, 'tones must contain no more than 64 elements'],
        [{ tones: ['tone1'], delayBetweenTonesMs: 99 }, 'delayBetweenTonesMs must not be less than 100'],
        [{ tones: ['tone1'], delayBetweenTonesMs: 150.5 }, 'delayBetweenTonesMs must be an integer number'],
        [{ tones: ['tone1'], delayBetweenTonesMs: 5001 }, 'delayBetweenTonesMs must not be greater than 5000'],
        [{ tones: ['tone1'], clientContext: 'x'.repeat(257) }, 'clientContext must be shorter than or equal to 256'],
        [{ tones: ['tone1'], tone: 'x' }, 'property tone should not exist'],
      ];
      for (const [body, message] of cases) {
        const res = await post(`/communications/calls/${callId}/sendDtmfTones`, body);
        expect({ body, status: res.status, code: res.body.error?.code, message: res.body.error?.message }).toEqual({
          body,
          status: 400,
          code: 'invalidRequest',
          message: expect.stringContaining(message),
        });
      }
      const listed = await get(`/communications/calls/${callId}/operations`);
      expect(listed.body.value).toEqual([]);
    });

    it("takes Graph's roles: Calls.Initiate.All or Calls.AccessMedia.All, else 403", async () => {
      const callId = await notifiedCall(suite.service, receiver);
      const path = `/communications/calls/${callId}/sendDtmfTones`;
      const only = (role: string) => `Bearer ${suite.service.token({ roles: [role] })}`;
      expect((await post(path, { tones: ['a'] }, only(Roles.CallsInitiateAll))).status).toBe(200);
      expect((await post(path, { tones: ['b'] }, only(Roles.CallsAccessMediaAll))).status).toBe(200);
      const refused = await post(path, { tones: ['c'] }, only(Roles.CallsJoinGroupCallsAll));
      expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 403, code: 'accessDenied' });
    });

    it('is what the SDK posts by the qualified name of the page, and parses as its SendDtmfTonesOperation', async () => {
      const callId = await notifiedCall(suite.service, receiver);
      const operation: SendDtmfTonesOperation | undefined = await postAction(
        graphAdapter(suite.service.url, suite.service.token()),
        callId,
        'microsoft.graph.sendDtmfTones',
        { tones: ['tone1', 'tone0'], delayBetweenTonesMs: 1000, clientContext: 'sdk-dtmf' },
        serializeSendDtmfTonesPostRequestBody,
        createSendDtmfTonesOperationFromDiscriminatorValue,
      );
      expect(operation?.odataType).toBe('#microsoft.graph.sendDtmfTonesOperation');
      expect(operation?.clientContext).toBe('sdk-dtmf');
      expect(operation?.id).toMatch(GUID);
    });
  });

  describe('updateRecordingStatus', () => {
    it('answers completed at once with resultInfo null, keeps the status, and sends no notification for it', async () => {
      const callId = await notifiedCall(suite.service, receiver);
      const res = await post(`/communications/calls/${callId}/updateRecordingStatus`, {
        status: 'recording',
        clientContext: 'rec-1',
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        '@odata.type': '#microsoft.graph.updateRecordingStatusOperation',
        id: expect.stringMatching(GUID),
        status: 'completed',
        clientContext: 'rec-1',
        resultInfo: null,
      });
      expect(res.headers.location).toMatch(new RegExp(`/communications/calls/${callId}/operations/${res.body.id}$`));
      // GET answers the same operation, with its @odata.context as a single resource.
      expect((await get(`/communications/calls/${callId}/operations/${res.body.id}`)).body).toEqual({
        '@odata.context': expect.stringMatching(
          /\/\$metadata#communications\/calls\('[0-9a-f-]{36}'\)\/operations\/\$entity$/,
        ),
        ...res.body,
      });

      // A later operation's notification arrives; none came for the status update before it.
      const tones = await post(`/communications/calls/${callId}/sendDtmfTones`, { tones: ['tone1'] });
      await eventually(
        async () => notificationsOf(tones.body.id),
        (found) => found.length > 0,
      );
      expect(notificationsOf(res.body.id)).toEqual([]);
    });

    it("is what the SDK posts, parsed as its UpdateRecordingStatusOperation; on an ended call the SDK's ODataError is 404", async () => {
      const callId = await notifiedCall(suite.service, receiver);
      const graph = graphAdapter(suite.service.url, suite.service.token());
      const update = (status: string) =>
        postAction(
          graph,
          callId,
          'microsoft.graph.updateRecordingStatus',
          { status, clientContext: 'sdk-rec' },
          serializeUpdateRecordingStatusPostRequestBody,
          createUpdateRecordingStatusOperationFromDiscriminatorValue,
        );
      const operation: UpdateRecordingStatusOperation | undefined = await update('recording');
      expect(operation?.odataType).toBe('#microsoft.graph.updateRecordingStatusOperation');
      expect(operation?.clientContext).toBe('sdk-rec');

      await hangUp(graph, callId);
      const error = await sdkError(update('notRecording'));
      expect({ status: error?.responseStatusCode, code: error?.errorEscaped?.code }).toEqual({
        status: 404,
        code: 'itemNotFound',
      });
    });

    it('refuses a missing or unknown status with 400, and takes Calls.JoinGroupCalls.All or Calls.AccessMedia.All', async () => {
      const callId = await notifiedCall(suite.service, receiver);
      const path = `/communications/calls/${callId}/updateRecordingStatus`;
      for (const [body, message] of [
        [{}, 'status should not be null or undefined'],
        [{ status: 'paused' }, 'status must be one of the following values: notRecording, recording, failed'],
      ] as const) {
        const res = await post(path, body);
        expect({ status: res.status, message: res.body.error?.message }).toEqual({
          status: 400,
          message: expect.stringContaining(message),
        });
      }
      const only = (role: string) => `Bearer ${suite.service.token({ roles: [role] })}`;
      expect((await post(path, { status: 'recording' }, only(Roles.CallsJoinGroupCallsAll))).status).toBe(200);
      expect((await post(path, { status: 'notRecording' }, only(Roles.CallsAccessMediaAll))).status).toBe(200);
      const refused = await post(path, { status: 'failed' }, only(Roles.CallsInitiateAll));
      expect(refused.status).toBe(403);
    });
  });
});
