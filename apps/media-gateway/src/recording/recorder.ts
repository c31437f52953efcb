import { alaw, mulaw } from 'alawmulaw';
import { pcm8kWav } from '@calls/media-plane';
import type { RtpPacket } from '../legs/media-leg';
import type { LegCodec } from '../sdp/caller-offer';
import { FRAME_SAMPLES, isSpeech } from './voice-activity';

/**
 * What ends a recording, as Graph's recordCompletionReason names it;
 * `stopped` when the service ended it and nothing is kept,
 * `operationCanceled` when a cancel asked to keep what was captured.
 */
export type RecordingEnd =
  | 'initialSilenceTimeout'
  | 'maxSilenceTimeout'
  | 'maxRecordDurationReached'
  | 'stopToneDetected'
  | 'operationCanceled'
  | 'stopped';

export interface RecordLimits {
  readonly initialSilenceTimeoutInSeconds: number;
  readonly maxSilenceTimeoutInSeconds: number;
  readonly maxRecordDurationInSeconds: number;
  readonly stopTones: readonly string[];
}

/**
 * The caller's audio from the gateway's leg, decoded from G.711 to 16-bit
 * PCM at 8 kHz, until Graph's record limits end it:
 * - initialSilenceTimeoutInSeconds without any speech;
 * - maxSilenceTimeoutInSeconds of silence after speech;
 * - maxRecordDurationInSeconds in all;
 * - a key of `stopTones`.
 * Time is the clock's (a caller sending no packets is silent too), checked
 * at every packet and every 20 ms (`tick`).
 */
export class Recorder {
  private readonly chunks: Int16Array[] = [];
  private samples = 0;
  private pending = new Int16Array(0);
  private heardSpeech = false;
  private lastSpeechAt: number;
  private ended: RecordingEnd | undefined;
  private resolve!: (end: RecordingEnd) => void;
  readonly done: Promise<RecordingEnd>;

  constructor(
    private readonly codec: LegCodec,
    private readonly limits: RecordLimits,
    private readonly startedAt: number,
  ) {
    this.lastSpeechAt = startedAt;
    this.done = new Promise((resolve) => (this.resolve = resolve));
  }

  /** An audio packet of the leg (telephone-events and other types are not audio, and are skipped). */
  receive(packet: RtpPacket, now: number): void {
    if (this.ended || packet.payloadType !== this.codec.payloadType) return;
    const decoded = this.codec.name === 'PCMU' ? mulaw.decode(packet.payload) : alaw.decode(packet.payload);
    this.chunks.push(decoded);
    this.samples += decoded.length;
    // Frames of 20 ms, whatever the packet size.
    let buffered = new Int16Array(this.pending.length + decoded.length);
    buffered.set(this.pending);
    buffered.set(decoded, this.pending.length);
    while (buffered.length >= FRAME_SAMPLES) {
      if (isSpeech(buffered.subarray(0, FRAME_SAMPLES))) {
        this.heardSpeech = true;
        this.lastSpeechAt = now;
      }
      buffered = buffered.subarray(FRAME_SAMPLES);
    }
    this.pending = buffered.slice();
    this.tick(now);
  }

  /** A key the caller pressed. */
  key(key: string): void {
    if (this.limits.stopTones.includes(key)) this.end('stopToneDetected');
  }

  /** Checks the time limits. */
  tick(now: number): void {
    const elapsed = now - this.startedAt;
    if (elapsed >= this.limits.maxRecordDurationInSeconds * 1000) return this.end('maxRecordDurationReached');
    if (!this.heardSpeech) {
      if (elapsed >= this.limits.initialSilenceTimeoutInSeconds * 1000) this.end('initialSilenceTimeout');
      return;
    }
    if (now - this.lastSpeechAt >= this.limits.maxSilenceTimeoutInSeconds * 1000) this.end('maxSilenceTimeout');
  }

  /** The service ended the operation (cancel, barge-in, hang-up). */
  stop(): void {
    this.end('stopped');
  }

  /** A cancel asked to keep the recording: it ends here, with what it holds. */
  keep(): void {
    this.end('operationCanceled');
  }

  /** How much audio it holds, in ms. */
  get durationMs(): number {
    return Math.round(this.samples / 8);
  }

  /** The recording as a WAV file: mono 16-bit PCM at 8 kHz. */
  wav(): Buffer {
    const all = new Int16Array(this.samples);
    let at = 0;
    for (const chunk of this.chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    return pcm8kWav(all);
  }

  private end(reason: RecordingEnd): void {
    if (this.ended) return;
    this.ended = reason;
    this.resolve(reason);
  }
}
