import { dtmfKeyOf, RESULT_UNSPECIFIED } from '@calls/domain';
import { DTMF_TONE_MS } from '@calls/media-plane';
import type { OperationRun, PlaybackOutcome } from '../playback/prompt-playback';

/** What a DTMF sequence needs of rtpengine: one tone toward the caller. */
export interface DtmfEngine {
  playDtmf(callId: string, code: string, durationMs: number, pauseMs: number): Promise<void>;
}

/**
 * rtpengine injects a tone into a running audio stream, the one the
 * gateway's leg sends (its `play DTMF` refuses with "No SSRC context" until
 * that leg has sent a packet, and sends nothing once it stops): the sequence
 * keeps a stream of silence going from the leg while it runs. This long
 * (two packets) before the first tone, so the engine has seen the stream.
 */
const STREAM_LEAD_MS = 40;

/**
 * One sendDtmfTones operation: its tones sent toward the caller one at a
 * time, each DTMF_TONE_MS long, the next after the pause the bot asked
 * for. Each tone is its own `play DTMF` at its own time, rather than all of
 * them queued in rtpengine at once, so a call that ends stops the sequence
 * where it is. It completes when the last tone has been sent.
 */
export class DtmfSequence implements OperationRun<PlaybackOutcome> {
  private stopped = false;
  private readonly startedAt: number;
  private wake: (() => void) | undefined;

  constructor(
    private readonly callId: string,
    private readonly tones: readonly string[],
    private readonly delayBetweenTonesMs: number,
    private readonly engine: DtmfEngine,
    /** Starts the leg's stream of silence; answers the function that stops it. */
    private readonly startStream: () => () => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now();
  }

  async run(): Promise<PlaybackOutcome> {
    // rtpengine's `play DTMF` takes the key; Graph's `flash` (RFC 4733 event 16) has none: it takes events 0-15.
    const codes = this.tones.map(dtmfKeyOf);
    if (codes.some((code) => code === undefined)) return { kind: 'failed', resultInfo: RESULT_UNSPECIFIED };
    const stopStream = this.startStream();
    try {
      await this.sleep(STREAM_LEAD_MS);
      for (let i = 0; i < codes.length; i++) {
        if (this.stopped) return { kind: 'stopped' };
        await this.engine.playDtmf(this.callId, codes[i]!, DTMF_TONE_MS, this.delayBetweenTonesMs);
        // The tone plays for DTMF_TONE_MS; the pause follows it, except after the last.
        const last = i === codes.length - 1;
        await this.sleep(DTMF_TONE_MS + (last ? 0 : this.delayBetweenTonesMs));
      }
      return this.stopped ? { kind: 'stopped' } : { kind: 'completed' };
    } finally {
      stopStream();
    }
  }

  /** Sends no further tone; answers how long the sequence ran. */
  async stop(): Promise<number> {
    this.stopped = true;
    this.wake?.();
    return Math.round(this.now() - this.startedAt);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
