import { pcm8kWav } from '@calls/media-plane';
import type { MediaLeg } from '../legs/media-leg';
import { OperationRun, PlaybackEngine, PromptLoader, PromptPlayback } from '../playback/prompt-playback';
import type { PromptAudio } from '../prompts/prompt-source';
import { Recorder, RecordingEnd, RecordLimits } from './recorder';

export type RecordOutcome =
  | { readonly kind: 'failed'; readonly resultInfo: { code: number; subcode: number; message: string } }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'recorded'; readonly end: Exclude<RecordingEnd, 'stopped'>; readonly wav: Buffer };

/** The beep before a recording (playBeep): 400 ms of 1 kHz at about -12 dBFS. */
const BEEP = { uri: 'urn:calls-media-gateway:beep' };

/**
 * Graph's recordResponse on the gateway: its prompts, the beep when
 * `playBeep`, then the caller's audio until a record limit ends it (see
 * Recorder). Stopped early (cancel, barge-in, hang-up), it keeps nothing.
 */
export class RecordOperation implements OperationRun<RecordOutcome> {
  private readonly playback: PromptPlayback;
  private recorder: Recorder | undefined;
  private stopped = false;
  private kept = false;

  constructor(
    callId: string,
    prompts: readonly { readonly uri: string; readonly resourceId?: string }[],
    private readonly limits: RecordLimits & { readonly playBeep: boolean },
    private readonly leg: MediaLeg,
    private readonly onKey: (listener: (key: string) => void) => () => void,
    engine: PlaybackEngine,
    loader: PromptLoader,
    beep: PromptAudio,
  ) {
    const withBeep: PromptLoader = {
      load: (prompt) => (prompt.uri === BEEP.uri ? Promise.resolve(beep) : loader.load(prompt)),
    };
    this.playback = new PromptPlayback(callId, limits.playBeep ? [...prompts, BEEP] : prompts, engine, withBeep);
  }

  async run(): Promise<RecordOutcome> {
    const played = await this.playback.run();
    // Kept while its prompts still played: the caller said nothing into it yet.
    if (this.kept) return { kind: 'recorded', end: 'operationCanceled', wav: pcm8kWav(new Int16Array(0)) };
    if (played.kind !== 'completed') return played;
    if (this.stopped || !this.leg.codec) return { kind: 'stopped' };
    const recorder = new Recorder(this.leg.codec, this.limits, Date.now());
    this.recorder = recorder;
    const offPackets = this.leg.listen((packet) => recorder.receive(packet, Date.now()));
    const offKeys = this.onKey((key) => recorder.key(key));
    const clock = setInterval(() => recorder.tick(Date.now()), 20);
    const end = await recorder.done;
    clearInterval(clock);
    offPackets();
    offKeys();
    return end === 'stopped' ? { kind: 'stopped' } : { kind: 'recorded', end, wav: recorder.wav() };
  }

  /**
   * A cancel asked to keep it (`recordings: "keep"`): it ends now, and its
   * outcome is what it captured, `operationCanceled`.
   */
  keep(): void {
    this.kept = true;
    if (this.recorder) this.recorder.keep();
    else void this.playback.stop();
  }

  async stop(): Promise<number> {
    this.stopped = true;
    if (!this.recorder) return this.playback.stop();
    this.recorder.stop();
    return Math.round(this.playback.playedMs + this.recorder.durationMs);
  }
}
