import { MediaOperation } from '@calls/domain';
import type { MediaOperationProps } from '@calls/domain';
import { durationV1, toOperationV1 } from './operation-v1.mapper';

const t0 = new Date('2026-11-27T10:00:00.000Z');

function operation(overrides: Partial<MediaOperationProps>): Readonly<MediaOperationProps> {
  return MediaOperation.restore({
    id: 'op-1',
    callId: 'call-1',
    kind: 'playPrompt',
    sequence: 1,
    clientContext: 'ctx',
    parameters: { prompts: [{ uri: 'https://cdn.example.test/a.wav' }] },
    status: 'failed',
    resultInfo: { code: 400, subcode: 8508, message: 'Action failed, the operation was cancelled.' },
    completionReason: null,
    recordingLocation: null,
    recordingAccessToken: null,
    cancelledOperations: null,
    notCancelledOperations: null,
    playedDurationMs: 1250,
    createdAt: t0,
    startedAt: t0,
    endedAt: t0,
    ...overrides,
  }).snapshot();
}

/**
 * The published calls.v1 operation, byte for byte: subscribers parse these
 * payloads, so a field, a name or even their order changes only with a v2.
 * (The HTTP serializer may change freely: this mapper does not use it.)
 */
describe(toOperationV1.name, () => {
  it.each([
    [
      'a cancelled prompt',
      operation({}),
      '{"@odata.type":"#microsoft.graph.playPromptOperation","id":"op-1","status":"failed","clientContext":"ctx","resultInfo":{"@odata.type":"#microsoft.graph.resultInfo","code":400,"subcode":8508,"message":"Action failed, the operation was cancelled."},"playedDuration":"PT1.25S"}',
    ],
    [
      'a recording that reached its maximum duration',
      operation({
        kind: 'recordResponse',
        status: 'completed',
        resultInfo: { code: 200, subcode: 8515, message: 'Action completed, max record duration reached.' },
        completionReason: 'maxRecordDurationReached',
        recordingLocation: 'https://recordings.invalid/op-1.wav',
        recordingAccessToken: 'token',
        playedDurationMs: 5000,
      }),
      '{"@odata.type":"#microsoft.graph.recordOperation","id":"op-1","status":"completed","clientContext":"ctx","resultInfo":{"@odata.type":"#microsoft.graph.resultInfo","code":200,"subcode":8515,"message":"Action completed, max record duration reached."},"completionReason":"maxRecordDurationReached","recordingLocation":"https://recordings.invalid/op-1.wav","recordingAccessToken":"token","playedDuration":"PT5S"}',
    ],
    [
      'a tone subscription',
      operation({
        kind: 'subscribeToTone',
        status: 'completed',
        resultInfo: null,
        clientContext: null,
        playedDurationMs: null,
      }),
      '{"@odata.type":"#microsoft.graph.subscribeToToneOperation","id":"op-1","status":"completed","clientContext":null,"resultInfo":null}',
    ],
    [
      'a cancel by id',
      operation({
        kind: 'cancelMediaProcessing',
        status: 'completed',
        resultInfo: null,
        playedDurationMs: null,
        cancelledOperations: [
          { id: 'op-0', kind: 'playPrompt', clientContext: null, previousStatus: 'running', playedDurationMs: 61_500 },
        ],
        notCancelledOperations: [{ id: 'op-9', status: 'completed' }],
      }),
      '{"@odata.type":"#microsoft.graph.cancelMediaProcessingOperation","id":"op-1","status":"completed","clientContext":"ctx","resultInfo":null,"cancelledOperations":[{"@odata.type":"#microsoft.graph.playPromptOperation","id":"op-0","clientContext":null,"previousStatus":"running","playedDuration":"PT1M1.5S"}],"notCancelledOperations":[{"id":"op-9","status":"completed"}]}',
    ],
    [
      'a cancel stored before playedDuration was recorded (unknown, not PT0S)',
      operation({
        kind: 'cancelMediaProcessing',
        status: 'completed',
        resultInfo: null,
        playedDurationMs: null,
        cancelledOperations: [{ id: 'op-0', kind: 'playPrompt', clientContext: null, previousStatus: 'running' }],
      }),
      '{"@odata.type":"#microsoft.graph.cancelMediaProcessingOperation","id":"op-1","status":"completed","clientContext":"ctx","resultInfo":null,"cancelledOperations":[{"@odata.type":"#microsoft.graph.playPromptOperation","id":"op-0","clientContext":null,"previousStatus":"running"}]}',
    ],
  ])('publishes %s exactly as calls.v1 always has', (_case, op, json) => {
    expect(JSON.stringify(toOperationV1(op))).toBe(json);
  });

  it.each([
    [0, 'PT0S'],
    [999, 'PT0.999S'],
    [60_000, 'PT1M'],
    [3_723_004, 'PT1H2M3.004S'],
  ])('writes %i ms as %s', (ms, duration) => {
    expect(durationV1(ms)).toBe(duration);
  });
});
