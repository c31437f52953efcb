import { Call } from './call.aggregate';
import {
  CallCreated,
  CallEstablished,
  CallTerminated,
  MediaOperationEnded,
  MediaOperationQueued,
  MediaOperationStarted,
  MediaProcessingCancelled,
  ToneReceived,
} from './call.events';
import { CallNotFoundError, UnknownOperationsError } from '../errors/domain.errors';
import type { CallDescription } from './call.values';
import { testCallDescription } from '../testing/call.fixtures';
import { RESULT_HUNG_UP_BY_BOT, RESULT_KEEPALIVE_TIMEOUT } from './call.values';
import {
  RESULT_CALL_TERMINATED,
  RESULT_CANCELLED,
  RESULT_COMPLETED,
  RESULT_MAX_RECORD_DURATION,
} from './media-operation';
import type { RecordParameters } from './media-operation';

const owner = { tenantId: 'tenant-a', appId: 'app-a' };
const description: CallDescription = testCallDescription({
  callbackUri: 'https://bot.example.test/callback',
  mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
});
const record: RecordParameters = {
  bargeInAllowed: false,
  initialSilenceTimeoutInSeconds: 5,
  maxSilenceTimeoutInSeconds: 5,
  maxRecordDurationInSeconds: 5,
  playBeep: true,
  stopTones: ['#'],
};
const prompt = [{ uri: 'https://cdn.example.test/hello.wav' }];
const t0 = new Date('2026-11-27T10:00:00Z');
const t1 = new Date('2026-11-27T10:00:01Z');

function establishedCall(): Call {
  const call = Call.create(owner, description, t0);
  call.establish(t0);
  call.uncommit();
  return call;
}

const eventNames = (call: Call) => call.getUncommittedEvents().map((e) => e.constructor.name);

describe(Call.name, () => {
  it('starts establishing, announces its creation and becomes established once', () => {
    const call = Call.create(owner, description, t0);
    expect(call.state).toBe('establishing');
    call.establish(t1);
    call.establish(t1);
    expect(call.state).toBe('established');
    expect(eventNames(call)).toEqual([CallCreated.name, CallEstablished.name]);
  });

  it('runs the head of the queue and keeps the rest notStarted in the order asked', () => {
    const call = establishedCall();
    const first = call.playPrompt(prompt, 'one', t0);
    const second = call.recordResponse(prompt, record, 'two', t0);
    const third = call.playPrompt(prompt, 'three', t0);
    expect([first.status, second.status, third.status]).toEqual(['running', 'notStarted', 'notStarted']);
    expect(call.queue().map((op) => op.clientContext)).toEqual(['one', 'two', 'three']);
    expect(eventNames(call)).toEqual([
      MediaOperationQueued.name,
      MediaOperationStarted.name,
      MediaOperationQueued.name,
      MediaOperationQueued.name,
    ]);
  });

  it('queues prompts asked for while establishing and starts the first when established', () => {
    const call = Call.create(owner, description, t0);
    const op = call.playPrompt(prompt, null, t0);
    expect(op.status).toBe('notStarted');
    call.establish(t1);
    expect(op.status).toBe('running');
  });

  it('starts the next operation when the head completes, and ignores a duplicate report', () => {
    const call = establishedCall();
    const first = call.playPrompt(prompt, null, t0);
    const second = call.playPrompt(prompt, null, t0);
    expect(call.reportCompleted(first.id, t1)).toBe(true);
    expect(call.reportCompleted(first.id, t1)).toBe(false);
    expect(first.snapshot().resultInfo).toEqual(RESULT_COMPLETED);
    expect(second.status).toBe('running');
  });

  describe('reports of the media plane', () => {
    it("fails a recording with the plane's resultInfo and completion reason, and starts the next operation", () => {
      const call = establishedCall();
      const recording = call.recordResponse(prompt, record, 'r1', t0);
      const next = call.playPrompt(prompt, 'p1', t0);
      const silence = { code: 400, subcode: 8510, message: 'Action failed, initial silence timeout reached.' };

      expect(call.reportFailed(recording.id, silence, t1, 'initialSilenceTimeout')).toBe(true);

      expect(recording.snapshot()).toMatchObject({
        status: 'failed',
        resultInfo: silence,
        completionReason: 'initialSilenceTimeout',
        recordingLocation: '',
        recordingAccessToken: '',
      });
      expect(next.status).toBe('running');
    });

    it('ends the call when the media is lost: a running recording fails with mediaReceiveTimeout, the rest as terminated', () => {
      const call = establishedCall();
      const recording = call.recordResponse(prompt, record, 'r1', t0);
      const queued = call.playPrompt(prompt, 'p1', t0);
      const lost = { code: 410, subcode: 301005, message: 'Media connectivity failure.' };

      expect(call.loseMedia(t1)).toBe(true);

      expect(call.state).toBe('terminated');
      expect(call.snapshot().resultInfo).toEqual(lost);
      expect(recording.snapshot()).toMatchObject({
        status: 'failed',
        resultInfo: lost,
        completionReason: 'mediaReceiveTimeout',
      });
      expect(queued.snapshot()).toMatchObject({ status: 'failed', resultInfo: { code: 410, subcode: 0 } });
      expect(call.loseMedia(t1)).toBe(false);
    });

    it('ends the call as Graph ends one the other participant left when the caller hangs up', () => {
      const call = establishedCall();
      const playing = call.playPrompt(prompt, 'p1', t0);
      expect(call.peerLeft(t1)).toBe(true);
      expect(call.snapshot().resultInfo).toEqual({
        code: 200,
        subcode: 18503,
        message: 'The other participant in peer-to-peer call, left the conversation.',
      });
      expect(playing.snapshot()).toMatchObject({ status: 'failed', resultInfo: { code: 410 } });
      expect(call.peerLeft(t1)).toBe(false);
    });

    it('fails a recording without a reason as unspecifiedError', () => {
      const call = establishedCall();
      const recording = call.recordResponse(prompt, record, 'r1', t0);
      call.reportFailed(recording.id, { code: 500, subcode: 9999, message: 'x' }, t1);
      expect(recording.snapshot().completionReason).toBe('unspecifiedError');
    });
  });

  describe('cancelMediaProcessing', () => {
    it('fails the running and every queued IVR operation with 400/8508 and leaves the tone subscription', () => {
      const call = establishedCall();
      const tone = call.subscribeToTone('tones', t0);
      const playing = call.playPrompt(prompt, 'p1', t0);
      const recording = call.recordResponse(prompt, record, 'r1', t0);
      call.uncommit();

      const cancel = call.cancelMediaProcessing('stop', t1).snapshot();

      for (const op of [playing, recording]) {
        expect(op.status).toBe('failed');
        expect(op.snapshot().resultInfo).toEqual(RESULT_CANCELLED);
      }
      expect(recording.snapshot()).toMatchObject({
        completionReason: 'operationCanceled',
        recordingLocation: '',
        recordingAccessToken: '',
      });
      // A prompt's reason is Graph beta's playPromptCompletionReason (v1.0 answers do not show it).
      expect(playing.snapshot().completionReason).toBe('mediaOperationCanceled');
      expect(tone.status).toBe('completed');
      expect(cancel).toMatchObject({ kind: 'cancelMediaProcessing', status: 'completed', clientContext: 'stop' });
      expect(cancel.resultInfo).toBeNull();
      expect(cancel.cancelledOperations).toEqual([
        {
          id: playing.id,
          kind: 'playPrompt',
          clientContext: 'p1',
          previousStatus: 'running',
          playedDurationMs: t1.getTime() - t0.getTime(),
        },
        {
          id: recording.id,
          kind: 'recordResponse',
          clientContext: 'r1',
          previousStatus: 'notStarted',
          playedDurationMs: 0,
        },
      ]);
      expect(playing.snapshot().playedDurationMs).toBe(t1.getTime() - t0.getTime());
      expect(recording.snapshot().playedDurationMs).toBe(0);
      expect(call.queue()).toHaveLength(0);
    });

    it('applies one MediaOperationEnded per cancelled operation, then MediaProcessingCancelled', () => {
      const call = establishedCall();
      const a = call.playPrompt(prompt, null, t0);
      const b = call.playPrompt(prompt, null, t0);
      call.uncommit();
      const cancel = call.cancelMediaProcessing(null, t1);
      const events = call.getUncommittedEvents();
      expect(events.map((e) => e.constructor.name)).toEqual([
        MediaOperationEnded.name,
        MediaOperationEnded.name,
        MediaProcessingCancelled.name,
      ]);
      expect((events[0] as MediaOperationEnded).operation).toMatchObject({ id: a.id, status: 'failed' });
      expect((events[1] as MediaOperationEnded).operation).toMatchObject({ id: b.id, status: 'failed' });
      expect(events[2]).toMatchObject({ cancelOperationId: cancel.id, callId: call.id });
    });

    it('succeeds and ends nothing when nothing is queued', () => {
      const call = establishedCall();
      const cancel = call.cancelMediaProcessing('idle', t1).snapshot();
      expect(cancel.status).toBe('completed');
      expect(cancel.cancelledOperations).toEqual([]);
      expect(eventNames(call)).toEqual([MediaProcessingCancelled.name]);
    });

    it('lets a prompt asked for after the cancel start at once', () => {
      const call = establishedCall();
      call.playPrompt(prompt, null, t0);
      call.cancelMediaProcessing(null, t1);
      expect(call.playPrompt(prompt, null, t1).status).toBe('running');
    });

    it('makes a late completion report of a cancelled operation change nothing', () => {
      const call = establishedCall();
      const op = call.playPrompt(prompt, null, t0);
      call.cancelMediaProcessing(null, t1);
      call.uncommit();
      expect(call.reportCompleted(op.id, t1)).toBe(false);
      expect(op.status).toBe('failed');
      expect(call.getUncommittedEvents()).toHaveLength(0);
    });
  });

  describe('hangUp', () => {
    it('terminates the call, fails every queued or running operation and refuses later actions', () => {
      const call = establishedCall();
      const a = call.playPrompt(prompt, null, t0);
      const b = call.playPrompt(prompt, null, t0);
      call.uncommit();
      call.hangUp(t1);
      expect(call.state).toBe('terminated');
      expect([a.status, b.status]).toEqual(['failed', 'failed']);
      expect(a.snapshot().resultInfo).toEqual(RESULT_CALL_TERMINATED);
      expect(eventNames(call)).toEqual([MediaOperationEnded.name, MediaOperationEnded.name, CallTerminated.name]);
      expect(() => call.playPrompt(prompt, null, t1)).toThrow(CallNotFoundError);
      expect(() => call.cancelMediaProcessing(null, t1)).toThrow(CallNotFoundError);
      expect(() => call.subscribeToTone(null, t1)).toThrow(CallNotFoundError);
      expect(() => call.hangUp(t1)).toThrow(CallNotFoundError);
    });
  });

  it('keeps a running recording on a cancel that asks to: it runs until the media plane completes it operationCanceled', () => {
    const call = establishedCall();
    const recording = call.recordResponse([], record, null, t0);
    const queued = call.playPrompt(prompt, null, t0);
    const cancel = call.cancelMediaProcessing(null, t1, { scope: 'all' }, { keepRecordings: true });
    expect(cancel.snapshot().cancelledOperations).toEqual([
      expect.objectContaining({ id: recording.id, previousStatus: 'running', recordingKept: true }),
      expect.objectContaining({ id: queued.id, previousStatus: 'notStarted' }),
    ]);
    expect([recording.status, queued.status]).toEqual(['running', 'failed']);
    call.reportCompleted(recording.id, t1, {
      completionReason: 'operationCanceled',
      recordingLocation: 'https://media.test/r',
      recordingAccessToken: 'token',
    });
    expect(recording.snapshot()).toMatchObject({
      status: 'completed',
      completionReason: 'operationCanceled',
      resultInfo: RESULT_COMPLETED,
      recordingLocation: 'https://media.test/r',
    });
  });

  describe('sendDtmfTones', () => {
    const dtmf = { tones: ['tone1', 'pound'] as const, delayBetweenTonesMs: 200 };

    it('waits its turn in the media queue like a prompt, and completes completedSuccessfully', () => {
      const call = establishedCall();
      const playing = call.playPrompt(prompt, null, t0);
      const tones = call.sendDtmfTones(dtmf, 'd1', t0);
      const after = call.playPrompt(prompt, null, t0);
      expect([playing.status, tones.status, after.status]).toEqual(['running', 'notStarted', 'notStarted']);
      expect(call.queue().map((op) => op.id)).toEqual([playing.id, tones.id, after.id]);

      call.reportCompleted(playing.id, t1);
      expect(tones.status).toBe('running');
      call.reportCompleted(tones.id, t1);
      expect(tones.snapshot()).toMatchObject({
        status: 'completed',
        completionReason: 'completedSuccessfully',
        resultInfo: RESULT_COMPLETED,
        playedDurationMs: null,
      });
      expect(after.status).toBe('running');
    });

    it('is left alone by cancelMediaProcessing and barge-in, which Graph gives playPrompt and recordResponse only', () => {
      const call = establishedCall();
      const playing = call.playPrompt(prompt, null, t0);
      const tones = call.sendDtmfTones(dtmf, null, t0);
      const queued = call.playPrompt(prompt, null, t0);
      const cancel = call.cancelMediaProcessing(null, t1);
      expect(cancel.snapshot().cancelledOperations?.map((ref) => ref.id)).toEqual([playing.id, queued.id]);
      expect(tones.status).toBe('running'); // the head once the prompt before it ended

      const barging = call.recordResponse([], { ...record, bargeInAllowed: true }, null, t1);
      expect(tones.status).toBe('running');
      expect(barging.status).toBe('notStarted');
    });

    it('ends mediaOperationCanceled (failed, 410) when the call ends, running or queued', () => {
      const call = establishedCall();
      const running = call.sendDtmfTones(dtmf, null, t0);
      const queued = call.sendDtmfTones(dtmf, null, t0);
      call.hangUp(t1);
      for (const op of [running, queued]) {
        expect(op.snapshot()).toMatchObject({
          status: 'failed',
          resultInfo: RESULT_CALL_TERMINATED,
          completionReason: 'mediaOperationCanceled',
        });
      }
      expect(() => call.sendDtmfTones(dtmf, null, t1)).toThrow(CallNotFoundError);
    });

    it('waits for the call to be established, and fails as unknown when the media plane cannot send', () => {
      const call = Call.create(owner, description, t0);
      const op = call.sendDtmfTones(dtmf, null, t0);
      expect(op.status).toBe('notStarted');
      call.establish(t1);
      expect(op.status).toBe('running');
      call.reportFailed(op.id, { code: 500, subcode: 9999, message: 'x' }, t1);
      expect(op.snapshot()).toMatchObject({ status: 'failed', completionReason: 'unknown' });
    });
  });

  it('completes updateRecordingStatus at once, keeping the status, and refuses it on an ended call', () => {
    const call = establishedCall();
    const op = call.updateRecordingStatus('recording', 'rec', t0);
    expect(op.snapshot()).toMatchObject({
      kind: 'updateRecordingStatus',
      status: 'completed',
      resultInfo: null,
      parameters: { recordingStatus: 'recording' },
    });
    expect(eventNames(call)).toEqual([MediaOperationEnded.name]);
    expect(call.queue()).toEqual([]);
    call.hangUp(t1);
    expect(() => call.updateRecordingStatus('notRecording', null, t1)).toThrow(CallNotFoundError);
  });

  it("keeps the last tone by Graph's name, and drops what is no DTMF key", () => {
    const call = establishedCall();
    call.subscribeToTone(null, t0);
    expect(call.receiveTone('5', t0)).toBe(true);
    expect(call.receiveTone('x', t0)).toBe(false);
    expect(call.receiveTone('#', t1)).toBe(true);
    expect(call.snapshot()).toMatchObject({ toneSequence: 2, lastTone: 'pound' });
  });

  it('reports tones only after subscribeToTone, numbering them', () => {
    const call = establishedCall();
    expect(call.receiveTone('1', t0)).toBe(false);
    call.subscribeToTone(null, t0);
    call.uncommit();
    expect(call.receiveTone('5', t1)).toBe(true);
    expect(call.receiveTone('#', t1)).toBe(true);
    expect(call.getUncommittedEvents()).toEqual([
      expect.objectContaining({ sequenceId: 1, tone: '5' }),
      expect.objectContaining({ sequenceId: 2, tone: '#' }),
    ]);
    expect(eventNames(call)).toEqual([ToneReceived.name, ToneReceived.name]);
  });

  it('tracks created and changed operations until they are persisted', () => {
    const call = establishedCall();
    const op = call.playPrompt(prompt, null, t0);
    expect(call.changedOperations().map((o) => o.id)).toEqual([op.id]);
    expect(call.isNewOperation(op.id)).toBe(true);
    const version = call.version;
    call.markPersisted();
    expect(call.changedOperations()).toEqual([]);
    expect(call.isNewOperation(op.id)).toBe(false);
    expect(call.version).toBe(version + 1);
    // Stored since: a cancel changes it, and it is no longer new.
    const cancel = call.cancelMediaProcessing(null, t0);
    expect(call.changedOperations().map((o) => o.id)).toEqual(expect.arrayContaining([op.id, cancel.id]));
    expect(call.isNewOperation(op.id)).toBe(false);
    expect(call.isNewOperation(cancel.id)).toBe(true);
  });

  describe('recordResponse with bargeInAllowed', () => {
    it('ends every running and queued prompt or recording as a cancel does, and records at once', () => {
      const call = establishedCall();
      const playing = call.playPrompt(prompt, 'p', t0);
      const queued = call.recordResponse(prompt, record, 'r', t0);
      call.uncommit();

      const barging = call.recordResponse(prompt, { ...record, bargeInAllowed: true }, 'now', t1);

      expect(playing.snapshot()).toMatchObject({
        status: 'failed',
        resultInfo: RESULT_CANCELLED,
        playedDurationMs: 1000,
      });
      expect(queued.snapshot()).toMatchObject({
        status: 'failed',
        resultInfo: RESULT_CANCELLED,
        completionReason: 'operationCanceled',
        playedDurationMs: 0,
      });
      expect(barging.status).toBe('running');
      expect(call.queue()).toEqual([barging]);
      expect(eventNames(call)).toEqual([
        MediaOperationEnded.name,
        MediaOperationEnded.name,
        MediaOperationQueued.name,
        MediaOperationStarted.name,
      ]);
    });

    it('queues behind the running operation without it (Graph default false)', () => {
      const call = establishedCall();
      const playing = call.playPrompt(prompt, null, t0);
      const recording = call.recordResponse(prompt, record, null, t1);
      expect([playing.status, recording.status]).toEqual(['running', 'notStarted']);
    });
  });

  describe("selective cancel (this service's extension)", () => {
    function callWithThree() {
      const call = establishedCall();
      const ops = [
        call.playPrompt(prompt, 'a', t0),
        call.playPrompt(prompt, 'b', t0),
        call.playPrompt(prompt, 'c', t0),
      ];
      return { call, ops };
    }

    it("scope 'current' ends only the running operation and starts the next", () => {
      const { call, ops } = callWithThree();
      const cancel = call.cancelMediaProcessing(null, t1, { scope: 'current' }).snapshot();
      expect(cancel.cancelledOperations?.map((ref) => ref.id)).toEqual([ops[0].id]);
      expect(ops.map((op) => op.status)).toEqual(['failed', 'running', 'notStarted']);
    });

    it("scope 'queued' ends only what has not started; the running one plays on", () => {
      const { call, ops } = callWithThree();
      const cancel = call.cancelMediaProcessing(null, t1, { scope: 'queued' }).snapshot();
      expect(cancel.cancelledOperations?.map((ref) => ref.id)).toEqual([ops[1].id, ops[2].id]);
      expect(ops.map((op) => op.status)).toEqual(['running', 'failed', 'failed']);
    });

    it('operationIds ends exactly those, reports ended ones as not cancelled, and refuses ids the call never had', () => {
      const { call, ops } = callWithThree();
      const statuses = new Map([
        [ops[1].id, 'notStarted' as const],
        ['ended-op', 'completed' as const],
      ]);
      const cancel = call
        .cancelMediaProcessing(null, t1, { operationIds: [ops[1].id, 'ended-op', ops[1].id], statuses })
        .snapshot();
      expect(cancel.cancelledOperations?.map((ref) => ref.id)).toEqual([ops[1].id]);
      expect(cancel.notCancelledOperations).toEqual([{ id: 'ended-op', status: 'completed' }]);
      expect(ops.map((op) => op.status)).toEqual(['running', 'failed', 'notStarted']);

      const eventsBefore = call.getUncommittedEvents().length;
      expect(() =>
        call.cancelMediaProcessing(null, t1, { operationIds: [ops[2].id, 'nope'], statuses: new Map() }),
      ).toThrow(new UnknownOperationsError(['nope']));
      expect(ops[2].status).toBe('notStarted');
      expect(call.getUncommittedEvents()).toHaveLength(eventsBefore);
    });
  });

  describe('keepAlive and expiry', () => {
    const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

    it('ends a call 45 minutes after its start or its last keepAlive, as Graph does, with 408/8537', () => {
      const call = establishedCall();
      const op = call.playPrompt(prompt, null, t0);
      expect(call.expireIfInactive(minutes(44))).toBe(false);
      call.keepAlive(minutes(44));
      expect(call.expireIfInactive(minutes(88))).toBe(false);
      call.uncommit();
      expect(call.expireIfInactive(minutes(89))).toBe(true);
      expect(call.snapshot()).toMatchObject({ state: 'terminated', resultInfo: RESULT_KEEPALIVE_TIMEOUT });
      expect(op.snapshot().resultInfo).toEqual(RESULT_CALL_TERMINATED);
      expect(call.getUncommittedEvents()).toEqual([
        expect.any(MediaOperationEnded),
        expect.objectContaining({ eventName: 'CallTerminated', resultInfo: RESULT_KEEPALIVE_TIMEOUT }),
      ]);
      expect(call.expireIfInactive(minutes(90))).toBe(false);
      expect(() => call.keepAlive(minutes(90))).toThrow(CallNotFoundError);
    });

    it('says a hung-up call was ended by the bot (200/7000)', () => {
      const call = establishedCall();
      call.hangUp(t1);
      expect(call.snapshot().resultInfo).toEqual(RESULT_HUNG_UP_BY_BOT);
      expect(call.getUncommittedEvents()).toEqual([expect.objectContaining({ resultInfo: RESULT_HUNG_UP_BY_BOT })]);
    });
  });

  it('fails a recording a media plane reports ended on its initial silence: 400/8510, as Graph fails it', () => {
    const call = establishedCall();
    const op = call.recordResponse([], record, null, t0);
    call.reportCompleted(op.id, t1, {
      completionReason: 'initialSilenceTimeout',
      recordingLocation: 'https://x.test/r.wav',
      recordingAccessToken: 't',
    });
    expect(op.snapshot()).toMatchObject({
      status: 'failed',
      completionReason: 'initialSilenceTimeout',
      resultInfo: { code: 400, subcode: 8510 },
      recordingLocation: '',
      recordingAccessToken: '',
    });
  });

  it('completes a recording that reached its maximum duration with 200/8515, as Graph does', () => {
    const call = establishedCall();
    const recording = call.recordResponse(prompt, record, null, t0);
    call.reportCompleted(recording.id, t1, {
      completionReason: 'maxRecordDurationReached',
      recordingLocation: 'https://recordings.invalid/x.wav',
      recordingAccessToken: 't',
    });
    expect(recording.snapshot()).toMatchObject({ resultInfo: RESULT_MAX_RECORD_DURATION, playedDurationMs: 1000 });
  });
});
