import { PromptError } from '../prompts/prompt-source';
import type { PromptAudio } from '../prompts/prompt-source';

/** What playback needs of rtpengine: play a file to the caller (answering its length in ms), and stop it. */
export interface PlaybackEngine {
  play(callId: string, wav: Buffer): Promise<number>;
  stop(callId: string): Promise<void>;
}

export interface PromptLoader {
  load(prompt: { readonly uri: string; readonly resourceId?: string }): Promise<PromptAudio>;
}

export type PlaybackOutcome =
  | { readonly kind: 'completed' }
  | { readonly kind: 'failed'; readonly resultInfo: { code: number; subcode: number; message: string } }
  | { readonly kind: 'stopped' };

/** A started operation as the gateway runs it: to its outcome, or stopped early, answering the ms it ran. */
export interface OperationRun<Outcome = PlaybackOutcome> {
  run(): Promise<Outcome>;
  stop(): Promise<number>;
}

/**
 * How far rtpengine's player runs ahead of real time, in ms. Its `play media`
 * answer gives the file's length, but `stop media` answers no position. With
 * the 24 kHz files the gateway sends it (ENGINE_SAMPLE_RATE), rtpengine 10.5
 * sends the first packet as it answers and then runs 20 to 60 ms ahead:
 * stopped 300, 1000, 2500 and 4000 ms after its answer, the caller had
 * received 320, 1040, 2560 and 4060 ms of audio. A stopped prompt has played
 * for the time since the answer plus this lead, never more than its length;
 * docs/media.md gives the accuracy measured.
 */
export const PLAYER_LEAD_MS = 40;

/**
 * One operation's prompts, played one after the other on rtpengine. Stopping
 * it (cancel, barge-in, hang-up) stops the engine's player at once, starts
 * nothing more, and answers how long it had played in all.
 */
export class PromptPlayback implements OperationRun {
  private stopped = false;
  private stopping: Promise<number> | undefined;
  private finishedMs = 0;
  private current: { startedAt: number; durationMs: number } | undefined;
  private starting: Promise<unknown> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly callId: string,
    private readonly prompts: readonly { readonly uri: string; readonly resourceId?: string }[],
    private readonly engine: PlaybackEngine,
    private readonly loader: PromptLoader,
    private readonly now: () => number = () => performance.now(),
    /** Graph beta's `loop`: play the prompts again and again until stopped. */
    private readonly loop = false,
  ) {}

  async run(): Promise<PlaybackOutcome> {
    do {
      const before = this.finishedMs;
      const outcome = await this.playOnce();
      // A pass that played nothing (zero-length prompts) would loop without end: a loop needs audio.
      if (outcome || this.finishedMs === before) return outcome ?? this.outcome();
    } while (this.loop && !this.stopped);
    return this.outcome();
  }

  private outcome(): PlaybackOutcome {
    return this.stopped ? { kind: 'stopped' } : { kind: 'completed' };
  }

  /** Plays each prompt once; answers a failure, or undefined when the pass ended (or was stopped). */
  private async playOnce(): Promise<PlaybackOutcome | undefined> {
    for (const prompt of this.prompts) {
      let audio: PromptAudio;
      try {
        audio = await this.loader.load(prompt);
      } catch (error) {
        if (this.stopped) break;
        if (error instanceof PromptError) return { kind: 'failed', resultInfo: error.resultInfo };
        throw error;
      }
      if (this.stopped) break;
      const starting = this.engine.play(this.callId, audio.wav);
      this.starting = starting;
      const durationMs = await starting;
      this.current = { startedAt: this.now(), durationMs };
      this.starting = undefined;
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, durationMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
      if (this.stopped) break;
      this.finishedMs += durationMs;
      this.current = undefined;
    }
    return undefined;
  }

  /** The ms of the prompts played to their end so far. */
  get playedMs(): number {
    return this.finishedMs;
  }

  /** Stops it; answers the ms played (an estimate for the prompt cut short, see PLAYER_LEAD_MS). */
  stop(): Promise<number> {
    this.stopping ??= this.halt(this.now());
    return this.stopping;
  }

  private async halt(stoppedAt: number): Promise<number> {
    this.stopped = true;
    // A play command on its way: let it land, so the stop comes after it.
    await this.starting?.catch(() => undefined);
    this.wake?.();
    const playing = this.current;
    if (!playing) return Math.round(this.finishedMs);
    await this.engine.stop(this.callId);
    const cut = Math.min(playing.durationMs, Math.max(0, stoppedAt - playing.startedAt) + PLAYER_LEAD_MS);
    return Math.round(this.finishedMs + cut);
  }
}
