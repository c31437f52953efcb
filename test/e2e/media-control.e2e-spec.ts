import { createCancelMediaProcessingOperationFromDiscriminatorValue } from '@microsoft/msgraph-sdk/models/index.js';
import type { CancelMediaProcessingOperation } from '@microsoft/msgraph-sdk/models/index.js';
import request from 'supertest';
import { CallbackReceiver } from '../support/callback-receiver';
import { cancelMediaProcessing, graphAdapter } from '../support/graph-sdk';
import { createPostgresDatabase } from '../support/test-databases';
import { CREATE_CALL_BODY, establishedCall, eventually, PROMPT, serviceForSuite } from '../support/test-app';
import { until } from '../support/waits';

const DURATION = /^PT\d+(\.\d+)?S$/;
const seconds = (duration: string) => Number(/^PT(\d+(?:\.\d+)?)S$/.exec(duration)![1]);

/**
 * Barge-in, selective cancel and how far each operation got (HTTP and the
 * Graph SDK, PostgreSQL, the simulated media plane, the in-process notifier).
 */
describe('media control (HTTP, PostgreSQL)', () => {
  const receiver = new CallbackReceiver();
  const suite = serviceForSuite(createPostgresDatabase, {
    SIMULATED_PROMPT_MS: '60000',
    OUTBOX_POLL_MS: '50',
    NOTIFIER_POLL_MS: '50',
  });

  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  const api = () => request(suite.service.url);
  const post = (path: string, body: object) => api().post(path).set('Authorization', suite.auth).send(body);
  const get = (path: string) => api().get(path).set('Authorization', suite.auth);
  const call = (callId: string) => `/communications/calls/${callId}`;
  const newCall = () => establishedCall(suite.service);
  const play = async (callId: string, clientContext: string) =>
    (await post(`${call(callId)}/playPrompt`, { prompts: [PROMPT], clientContext })).body.id as string;

  describe('recordResponse with bargeInAllowed', () => {
    it('ends what plays and what waits exactly as a cancel does, notifies each, and records at once', async () => {
      const callId = await establishedCall(suite.service, {
        ...CREATE_CALL_BODY,
        callbackUri: receiver.url,
      });
      const playing = await play(callId, 'playing');
      const queued = (
        await post(`${call(callId)}/recordResponse`, { prompts: [PROMPT], clientContext: 'queued-recording' })
      ).body.id;

      const barging = await post(`${call(callId)}/recordResponse`, { bargeInAllowed: true, clientContext: 'barge' });

      expect(barging.status).toBe(200);
      expect(barging.body).toMatchObject({ '@odata.type': '#microsoft.graph.recordOperation', status: 'running' });
      expect((await get(`${call(callId)}/operations/${playing}`)).body).toMatchObject({
        status: 'failed',
        resultInfo: { code: 400, subcode: 8508, message: 'Action failed, the operation was cancelled.' },
        playedDuration: expect.stringMatching(DURATION),
      });
      expect((await get(`${call(callId)}/operations/${queued}`)).body).toMatchObject({
        status: 'failed',
        resultInfo: { code: 400, subcode: 8508 },
        completionReason: 'operationCanceled',
        recordingLocation: '',
        playedDuration: 'PT0S',
      });
      const deletedUrls = () =>
        receiver.received
          .filter((n) => n.body.value[0].changeType === 'deleted')
          .map((n) => n.body.value[0].resourceUrl);
      await until(() => deletedUrls().length >= 2);
      expect(deletedUrls()).toEqual([`${call(callId)}/operations/${playing}`, `${call(callId)}/operations/${queued}`]);
      // A cancel now finds only the barging recording.
      const cancel = await post(`${call(callId)}/cancelMediaProcessing`, {});
      expect(cancel.body.cancelledOperations.map((ref: { id: string }) => ref.id)).toEqual([barging.body.id]);
    });

    it('queues behind what plays when bargeInAllowed is false (the default)', async () => {
      const callId = await newCall();
      await play(callId, 'a');
      const recording = await post(`${call(callId)}/recordResponse`, { bargeInAllowed: false });
      expect(recording.body.status).toBe('notStarted');
    });
  });

  describe('selective cancel', () => {
    async function callWithThree() {
      const callId = await newCall();
      return { callId, ids: [await play(callId, 'a'), await play(callId, 'b'), await play(callId, 'c')] };
    }
    const statuses = async (callId: string, ids: string[]) =>
      Promise.all(ids.map(async (id) => (await get(`${call(callId)}/operations/${id}`)).body.status));

    it("scope 'current' ends only the running prompt, and the next one starts", async () => {
      const { callId, ids } = await callWithThree();
      const cancel = await post(`${call(callId)}/cancelMediaProcessing`, { scope: 'current' });
      expect(cancel.status).toBe(200);
      expect(cancel.body.cancelledOperations.map((ref: { id: string }) => ref.id)).toEqual([ids[0]]);
      expect(await statuses(callId, ids)).toEqual(['failed', 'running', 'notStarted']);
    });

    it("scope 'queued' ends only what has not started, and the running prompt plays on", async () => {
      const { callId, ids } = await callWithThree();
      const cancel = await post(`${call(callId)}/cancelMediaProcessing`, { scope: 'queued' });
      expect(cancel.body.cancelledOperations.map((ref: { id: string }) => ref.id)).toEqual([ids[1], ids[2]]);
      expect(await statuses(callId, ids)).toEqual(['running', 'failed', 'failed']);
    });

    it('operationIds ends exactly those and reports the ones that had already ended', async () => {
      const { callId, ids } = await callWithThree();
      await post(`${call(callId)}/cancelMediaProcessing`, { operationIds: [ids[2]] });
      const cancel = await post(`${call(callId)}/cancelMediaProcessing`, { operationIds: [ids[1], ids[2]] });
      expect(cancel.body.cancelledOperations.map((ref: { id: string }) => ref.id)).toEqual([ids[1]]);
      expect(cancel.body.notCancelledOperations).toEqual([{ id: ids[2], status: 'failed' }]);
      expect(await statuses(callId, ids)).toEqual(['running', 'failed', 'failed']);
      // The answer is stored with the operation.
      expect((await get(`${call(callId)}/operations/${cancel.body.id}`)).body.notCancelledOperations).toEqual([
        { id: ids[2], status: 'failed' },
      ]);
    });

    it.each([
      [
        'an id the call never had',
        (ids: string[]) => ({ operationIds: [ids[0], '00000000-0000-4000-8000-0000000000ff'] }),
        /00000000-0000-4000-8000-0000000000ff/,
      ],
      ['an id that is not a GUID', () => ({ operationIds: ['nope'] }), /operationIds\[0\] must be a UUID/],
      ['an empty list', () => ({ operationIds: [] }), /operationIds must contain at least 1 elements/],
      [
        'both scope and operationIds',
        (ids: string[]) => ({ scope: 'all', operationIds: [ids[0]] }),
        /cannot be combined/,
      ],
      [
        'an unknown scope',
        () => ({ scope: 'everything' }),
        /scope must be one of the following values: all, current, queued/,
      ],
    ])('refuses %s with a 400 that names it, and ends nothing', async (_case, body, message) => {
      const { callId, ids } = await callWithThree();
      const res = await post(`${call(callId)}/cancelMediaProcessing`, body(ids));
      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 400, code: 'invalidRequest' });
      expect(res.body.error.message).toMatch(message);
      expect(await statuses(callId, ids)).toEqual(['running', 'notStarted', 'notStarted']);
    });

    it("refuses another call's operation as one this call does not have", async () => {
      const other = await callWithThree();
      const { callId, ids } = await callWithThree();
      const res = await post(`${call(callId)}/cancelMediaProcessing`, { operationIds: [other.ids[0]] });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(other.ids[0]);
      expect(await statuses(other.callId, other.ids)).toEqual(['running', 'notStarted', 'notStarted']);
      expect(await statuses(callId, ids)).toEqual(['running', 'notStarted', 'notStarted']);
    });

    it('takes scope and operationIds through the SDK as additionalData', async () => {
      const { callId, ids } = await callWithThree();
      const adapter = graphAdapter(suite.service.url, suite.service.token());
      const queued = await cancelMediaProcessing<CancelMediaProcessingOperation>(
        adapter,
        callId,
        { clientContext: 'sdk', additionalData: { scope: 'queued' } },
        createCancelMediaProcessingOperationFromDiscriminatorValue,
      );
      expect((queued?.additionalData?.cancelledOperations as { id: string }[]).map((ref) => ref.id)).toEqual([
        ids[1],
        ids[2],
      ]);
      const byId = await cancelMediaProcessing<CancelMediaProcessingOperation>(
        adapter,
        callId,
        { additionalData: { operationIds: [ids[0], ids[1]] } },
        createCancelMediaProcessingOperationFromDiscriminatorValue,
      );
      expect((byId?.additionalData?.cancelledOperations as { id: string }[]).map((ref) => ref.id)).toEqual([ids[0]]);
      expect(byId?.additionalData?.notCancelledOperations).toEqual([{ id: ids[1], status: 'failed' }]);
    });
  });

  it('completes a recording that reached maxRecordDurationInSeconds with 200/8515, as Graph reports it', async () => {
    const callId = await establishedCall(suite.service, { ...CREATE_CALL_BODY, callbackUri: receiver.url });
    const recording = (await post(`${call(callId)}/recordResponse`, { maxRecordDurationInSeconds: 1 })).body.id;
    const done = await eventually(
      () => get(`${call(callId)}/operations/${recording}`),
      (res) => res.body.status === 'completed',
    );
    const result = {
      '@odata.type': '#microsoft.graph.resultInfo',
      code: 200,
      subcode: 8515,
      message: 'Action completed, max record duration reached.',
    };
    expect(done.body).toMatchObject({ completionReason: 'maxRecordDurationReached', resultInfo: result });
    expect(seconds(done.body.playedDuration)).toBeGreaterThanOrEqual(1);
    const notified = await eventually(
      async () => receiver.received.find((n) => n.body.value[0].resourceUrl.endsWith(recording)),
      (n) => n !== undefined,
    );
    expect(notified!.body.value[0].resourceData).toMatchObject({ status: 'completed', resultInfo: result });
  });

  describe('playedDuration', () => {
    it('says how long each cancelled operation had played, in the answer, on GET and in its notification', async () => {
      const callId = await establishedCall(suite.service, {
        ...CREATE_CALL_BODY,
        callbackUri: receiver.url,
      });
      const playing = await play(callId, 'long');
      const queued = await play(callId, 'waiting');
      await new Promise((resolve) => setTimeout(resolve, 300));

      const cancel = await post(`${call(callId)}/cancelMediaProcessing`, {});

      const [first, second] = cancel.body.cancelledOperations as { playedDuration: string }[];
      expect(seconds(first.playedDuration)).toBeGreaterThanOrEqual(0.3);
      expect(seconds(first.playedDuration)).toBeLessThan(5);
      expect(second.playedDuration).toBe('PT0S');
      expect((await get(`${call(callId)}/operations/${playing}`)).body.playedDuration).toBe(first.playedDuration);
      expect((await get(`${call(callId)}/operations/${queued}`)).body.playedDuration).toBe('PT0S');
      const notified = await eventually(
        async () => receiver.received.find((n) => n.body.value[0].resourceUrl.endsWith(playing)),
        (n) => n !== undefined,
      );
      expect(notified!.body.value[0].resourceData.playedDuration).toBe(first.playedDuration);
    });
  });
});
