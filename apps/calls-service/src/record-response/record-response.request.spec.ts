import 'reflect-metadata';
import { RecordResponseRequest, toRecordParameters } from './record-response.request';

describe(toRecordParameters.name, () => {
  it("fills in Graph's documented defaults, and no stop tone: Graph documents none", () => {
    expect(toRecordParameters(new RecordResponseRequest())).toEqual({
      bargeInAllowed: false,
      initialSilenceTimeoutInSeconds: 5,
      maxSilenceTimeoutInSeconds: 5,
      maxRecordDurationInSeconds: 5,
      playBeep: true,
      stopTones: [],
    });
  });

  it('keeps the stop tones a bot names', () => {
    expect(toRecordParameters(Object.assign(new RecordResponseRequest(), { stopTones: ['#'] })).stopTones).toEqual([
      '#',
    ]);
  });
});
