import { DtmfSequence } from './dtmf-sequence';

/** A fake engine that records each tone with the (fake) time it was asked for. */
function engine() {
  const sent: { code: string; at: number; durationMs: number; pauseMs: number }[] = [];
  return {
    sent,
    playDtmf: async (_callId: string, code: string, durationMs: number, pauseMs: number) => {
      sent.push({ code, at: Date.now(), durationMs, pauseMs });
    },
  };
}

describe(DtmfSequence.name, () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it("sends Graph's tones as rtpengine's codes, a tone length plus the pause apart, inside one stream of silence", async () => {
    const fake = engine();
    const streams: string[] = [];
    const sequence = new DtmfSequence(
      'c',
      ['tone1', 'star', 'pound', 'a'],
      300,
      fake,
      () => {
        streams.push('started');
        return () => streams.push('stopped');
      },
      () => Date.now(),
    );
    const outcome = sequence.run();
    await jest.advanceTimersByTimeAsync(5_000);
    expect(await outcome).toEqual({ kind: 'completed' });
    expect(fake.sent.map((tone) => tone.code)).toEqual(['1', '*', '#', 'A']);
    // The stream leads the first tone by two packets; each next tone follows 100 ms + the pause.
    expect(fake.sent.map((tone) => tone.at)).toEqual([40, 440, 840, 1240]);
    expect(fake.sent[0]).toMatchObject({ durationMs: 100, pauseMs: 300 });
    expect(streams).toEqual(['started', 'stopped']);
  });

  it('sends no further tone once stopped, stops its stream, and answers how long it ran', async () => {
    const fake = engine();
    let streaming = false;
    const sequence = new DtmfSequence('c', ['tone1', 'tone2', 'tone3'], 500, fake, () => {
      streaming = true;
      return () => (streaming = false);
    });
    const outcome = sequence.run();
    await jest.advanceTimersByTimeAsync(100);
    expect(await sequence.stop()).toBeGreaterThanOrEqual(0);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(await outcome).toEqual({ kind: 'stopped' });
    expect(fake.sent.map((tone) => tone.code)).toEqual(['1']);
    expect(streaming).toBe(false);
  });

  it("fails a sequence with Graph's flash, which rtpengine cannot send, before sending anything", async () => {
    const fake = engine();
    const outcome = await new DtmfSequence('c', ['tone1', 'flash'], 100, fake, () => () => undefined).run();
    expect(outcome).toMatchObject({ kind: 'failed', resultInfo: { code: 500, subcode: 9999 } });
    expect(fake.sent).toEqual([]);
  });
});
