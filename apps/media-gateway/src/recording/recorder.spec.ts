import { mulaw } from 'alawmulaw';
import { WaveFile } from 'wavefile';
import type { RtpPacket } from '../legs/media-leg';
import { Recorder, RecordingEnd } from './recorder';
import { isSpeech, levelDbfs, SPEECH_THRESHOLD_DBFS, voicedMs } from './voice-activity';

const PCMU = { name: 'PCMU' as const, payloadType: 0, telephoneEvent: 101 };
const LIMITS = {
  initialSilenceTimeoutInSeconds: 1,
  maxSilenceTimeoutInSeconds: 0.5,
  maxRecordDurationInSeconds: 3,
  stopTones: ['#'],
};

const tone = (ms: number, amplitude: number) =>
  Int16Array.from({ length: ms * 8 }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * 440 * i) / 8000)));
const packet = (samples: Int16Array, payloadType = 0): RtpPacket => ({
  payloadType,
  marker: false,
  sequence: 0,
  timestamp: 0,
  payload: Buffer.from(mulaw.encode(samples)),
});

/** Feeds 20 ms packets of `speech` ms of tone then `silence` ms of silence, one per 20 ms of a fake clock. */
function feed(recorder: Recorder, start: number, speechMs: number, silenceMs: number): number {
  let now = start;
  for (let ms = 0; ms < speechMs + silenceMs; ms += 20) {
    now += 20;
    recorder.receive(packet(ms < speechMs ? tone(20, 8000) : new Int16Array(160)), now);
  }
  return now;
}

const endOf = async (recorder: Recorder) =>
  Promise.race([
    recorder.done,
    new Promise<RecordingEnd | 'running'>((resolve) => setImmediate(() => resolve('running'))),
  ]);

describe('voice activity', () => {
  it('calls a frame speech above the threshold, silence below it', () => {
    const loud = tone(20, 3000); // about -24 dBFS
    const quiet = tone(20, 100); // about -53 dBFS
    expect(levelDbfs(loud)).toBeGreaterThan(SPEECH_THRESHOLD_DBFS);
    expect(isSpeech(loud)).toBe(true);
    expect(isSpeech(quiet)).toBe(false);
    expect(levelDbfs(new Int16Array(160))).toBe(-Infinity);
  });

  it('measures the voiced part of a recording in 20 ms frames', () => {
    const samples = new Int16Array(8000);
    samples.set(tone(500, 8000), 1600);
    expect(voicedMs(samples)).toBe(500);
  });
});

describe('Recorder', () => {
  it('ends on maxSilenceTimeout after speech, keeping the speech and the silence', async () => {
    const recorder = new Recorder(PCMU, LIMITS, 0);
    feed(recorder, 0, 400, 480);
    expect(await endOf(recorder)).toBe('running');
    feed(recorder, 880, 0, 40);
    expect(await endOf(recorder)).toBe('maxSilenceTimeout');
    expect(recorder.durationMs).toBe(900); // the packet at 900 ms ended it; the one at 920 is not kept
    const wav = new WaveFile(recorder.wav());
    expect((wav.fmt as { sampleRate: number }).sampleRate).toBe(8000);
    expect(voicedMs(wav.getSamples(false, Int16Array) as unknown as Int16Array)).toBe(400);
  });

  it('fails on initialSilenceTimeout when no speech came, by the clock even without packets', async () => {
    const recorder = new Recorder(PCMU, LIMITS, 0);
    feed(recorder, 0, 0, 500);
    recorder.tick(999);
    expect(await endOf(recorder)).toBe('running');
    recorder.tick(1000);
    expect(await endOf(recorder)).toBe('initialSilenceTimeout');
  });

  it('ends on maxRecordDurationReached however long the caller talks', async () => {
    const recorder = new Recorder(PCMU, { ...LIMITS, maxRecordDurationInSeconds: 1 }, 0);
    feed(recorder, 0, 1000, 0);
    expect(await endOf(recorder)).toBe('maxRecordDurationReached');
  });

  it('ends on a stop tone only', async () => {
    const recorder = new Recorder(PCMU, LIMITS, 0);
    recorder.key('1');
    expect(await endOf(recorder)).toBe('running');
    recorder.key('#');
    expect(await endOf(recorder)).toBe('stopToneDetected');
  });

  it('records only audio packets of its codec, and nothing after its end', async () => {
    const recorder = new Recorder(PCMU, LIMITS, 0);
    recorder.receive(packet(tone(20, 8000), 101), 20);
    expect(recorder.durationMs).toBe(0);
    recorder.receive(packet(tone(20, 8000)), 20);
    recorder.stop();
    recorder.receive(packet(tone(20, 8000)), 40);
    expect(recorder.durationMs).toBe(20);
    expect(await recorder.done).toBe('stopped');
  });
});
