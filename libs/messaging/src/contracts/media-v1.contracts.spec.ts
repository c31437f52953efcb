import { CloudEvent } from 'cloudevents';
import { fromMediaReportEvent, MEDIA_V1, parseMediaReport, toMediaReportEvent } from './media-v1.contracts';
import type { MediaReportData, MediaReportV1 } from './media-v1.contracts';

describe(parseMediaReport.name, () => {
  it.each<MediaReportV1>([
    { type: 'callEstablished' },
    { type: 'callDisconnected', reason: 'hungUp' },
    { type: 'callDisconnected', reason: 'mediaTimeout' },
    { type: 'toneReceived', tone: '#' },
    { type: 'operationStopped', operationId: 'op', playedDurationMs: 1250 },
    { type: 'operationFailed', operationId: 'op', resultInfo: { code: 500, subcode: 9000, message: 'x' } },
    {
      type: 'operationFailed',
      operationId: 'op',
      resultInfo: { code: 400, subcode: 8510, message: 'x' },
      completionReason: 'initialSilenceTimeout',
    },
    { type: 'operationCompleted', operationId: 'op' },
    {
      type: 'operationCompleted',
      operationId: 'op',
      recording: {
        completionReason: 'stopToneDetected',
        recordingLocation: 'https://r/x.wav',
        recordingAccessToken: 't',
      },
    },
  ])('takes a well-formed %j as it is', (report) => {
    expect(parseMediaReport(JSON.parse(JSON.stringify(report)))).toEqual(report);
  });

  it.each([
    ['no report', undefined],
    ['an unknown type', { type: 'operationExploded', operationId: 'op' }],
    ['an operation without its id', { type: 'operationCompleted' }],
    ['a negative played duration', { type: 'operationStopped', operationId: 'op', playedDurationMs: -1 }],
    ['a played duration that is not a number', { type: 'operationStopped', operationId: 'op', playedDurationMs: '5' }],
    ['a failure without a resultInfo', { type: 'operationFailed', operationId: 'op' }],
    [
      'a resultInfo with a fractional code',
      { type: 'operationFailed', operationId: 'op', resultInfo: { code: 1.5, subcode: 0, message: '' } },
    ],
    [
      'a completion reason Graph does not have',
      {
        type: 'operationCompleted',
        operationId: 'op',
        recording: { completionReason: 'bored', recordingLocation: null, recordingAccessToken: null },
      },
    ],
    [
      'a failure with a completion reason Graph does not have',
      {
        type: 'operationFailed',
        operationId: 'op',
        resultInfo: { code: 400, subcode: 0, message: '' },
        completionReason: 'bored',
      },
    ],
    ['a disconnection without its reason', { type: 'callDisconnected' }],
    ['a tone of several characters', { type: 'toneReceived', tone: '##' }],
  ])('refuses %s', (_case, report) => {
    expect(parseMediaReport(report)).toBeNull();
  });
});

describe(fromMediaReportEvent.name, () => {
  it('reads back what toMediaReportEvent wrote', () => {
    const report: MediaReportV1 = { type: 'operationStopped', operationId: 'op', playedDurationMs: 10 };
    const event = toMediaReportEvent('/media-plane/test', 'call-1', report);
    expect(event.type).toBe(MEDIA_V1.operationStopped);
    expect(fromMediaReportEvent(event)).toEqual({ callId: 'call-1', report });
  });

  it('refuses a report whose type does not match the event type', () => {
    const event = new CloudEvent<MediaReportData>({
      source: '/x',
      type: MEDIA_V1.operationCompleted,
      data: { callId: 'call-1', report: { type: 'toneReceived', tone: '1' } },
    });
    expect(fromMediaReportEvent(event)).toBeNull();
  });
});
