import { randomBytes } from 'node:crypto';
import { WaveFile } from 'wavefile';
import { RESULT_INITIAL_SILENCE_TIMEOUT, RESULT_UNSPECIFIED } from '@calls/domain';
import type { MediaReportV1 } from '@calls/messaging';

export interface MediaSimulationTiming {
  readonly connectMs: number;
  /** How long each prompt "plays". */
  readonly promptMs: number;
  /**
   * The simulated caller: `speaks` (the default) fills every recording up to
   * its maximum duration; `silent` says nothing, so a recording fails on its
   * initial silence timeout, as a real one would.
   */
  readonly caller?: 'speaks' | 'silent';
  /**
   * Report how long an operation played when it is stopped early. The
   * media-simulator app does, as a real plane would; in process the service's
   * own measure is already exact, so a report would only cost a write.
   */
  readonly reportStops?: boolean;
}

/** What the simulation needs to know of a started operation. */
export interface StartedOperation {
  readonly id: string;
  readonly promptCount: number;
  /** Set for a recording: it "records" for this long after its prompts. */
  readonly maxRecordDurationInSeconds?: number;
  /** Set for a recording: a silent caller makes it fail after this long. */
  readonly initialSilenceTimeoutInSeconds?: number;
  /** Set for a looping playPrompt (Graph beta): it "plays" until stopped, and never completes. */
  readonly loop?: boolean;
  /** Set for sendDtmfTones: it "sends" each tone for DTMF_TONE_MS, with the pause between two. */
  readonly dtmf?: { readonly toneCount: number; readonly delayBetweenTonesMs: number };
}

/** How long one simulated DTMF tone lasts: the media gateway's (and rtpengine's default) tone length. */
export const DTMF_TONE_MS = 100;

/** How long a sequence of tones takes to send: each tone, and the pause between two. */
export function dtmfDurationMs(toneCount: number, delayBetweenTonesMs: number): number {
  return toneCount * DTMF_TONE_MS + Math.max(0, toneCount - 1) * delayBetweenTonesMs;
}

/** Where a simulated recording is kept for the bot to download; without one it lives nowhere. */
export interface RecordingKeeper {
  keep(
    callId: string,
    operationId: string,
    wav: Buffer,
  ): Promise<{ recordingLocation: string; recordingAccessToken: string }>;
}

/**
 * What the simulated caller says into a recording: a 300 Hz tone at about
 * -20 dBFS, 8 kHz mono 16-bit PCM (the gateway's recording format), as long
 * as the recording.
 */
export function simulatedSpeech(durationMs: number): Buffer {
  const samples = new Int16Array(Math.round((durationMs / 1000) * 8000));
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(3277 * Math.sin((2 * Math.PI * 300 * i) / 8000));
  return pcm8kWav(samples);
}

/** Samples as a WAV file: mono 16-bit PCM at 8 kHz, the form of every recording and beep here. */
export function pcm8kWav(samples: Int16Array): Buffer {
  const wav = new WaveFile();
  wav.fromScratch(1, 8000, '16', samples);
  return Buffer.from(wav.toBuffer());
}

/**
 * A pretend media plane: connects calls, "plays" prompts and "records" for
 * the configured times, then reports, as a real one would. Stopping an
 * operation (cancel, hang-up) clears its timer at once, so nothing more is
 * ever reported for it. Used in process (the embedded default) and by the
 * media-simulator app over RabbitMQ.
 */
export class MediaSimulation {
  private readonly timers = new Map<
    string,
    {
      callId: string;
      timer: NodeJS.Timeout;
      startedAt: number;
      durationMs: number;
      /** A recording's: when its prompts ended and the caller's audio began (Date.now()). */
      recordingFrom?: number;
    }
  >();

  constructor(
    private readonly timing: MediaSimulationTiming,
    private readonly report: (callId: string, report: MediaReportV1) => void,
    private readonly recordings?: RecordingKeeper,
  ) {}

  callCreated(callId: string): void {
    this.schedule(`call:${callId}`, callId, this.timing.connectMs, { type: 'callEstablished' });
  }

  operationStarted(callId: string, operation: StartedOperation): void {
    if (operation.loop) return this.playUntilStopped(callId, operation.id);
    const { dtmf } = operation;
    const playing = dtmf
      ? dtmfDurationMs(dtmf.toneCount, dtmf.delayBetweenTonesMs)
      : operation.promptCount * this.timing.promptMs;
    if (operation.maxRecordDurationInSeconds === undefined) {
      this.schedule(operation.id, callId, playing, { type: 'operationCompleted', operationId: operation.id });
      return;
    }
    if (this.timing.caller === 'silent') {
      const silenceMs = (operation.initialSilenceTimeoutInSeconds ?? 5) * 1000;
      this.schedule(operation.id, callId, playing + silenceMs, {
        type: 'operationFailed',
        operationId: operation.id,
        resultInfo: RESULT_INITIAL_SILENCE_TIMEOUT,
        completionReason: 'initialSilenceTimeout',
      });
      this.timers.get(operation.id)!.recordingFrom = Date.now() + playing;
      return;
    }
    const recordMs = operation.maxRecordDurationInSeconds * 1000;
    this.schedule(operation.id, callId, playing + recordMs, async () => ({
      type: 'operationCompleted',
      operationId: operation.id,
      recording: {
        completionReason: 'maxRecordDurationReached',
        ...(await this.keep(callId, operation.id, recordMs)),
      },
    }));
    this.timers.get(operation.id)!.recordingFrom = Date.now() + playing;
  }

  /** The recording's location and token: kept by the keeper, or (without one) nowhere. */
  private async keep(
    callId: string,
    operationId: string,
    speechMs: number,
  ): Promise<{ recordingLocation: string; recordingAccessToken: string }> {
    if (this.recordings) return this.recordings.keep(callId, operationId, simulatedSpeech(speechMs));
    // Without a keeper the recording lives nowhere; the reserved .invalid domain says so.
    return {
      recordingLocation: `https://recordings.invalid/${operationId}.wav`,
      recordingAccessToken: randomBytes(16).toString('hex'),
    };
  }

  /**
   * A cancel asked to keep a running recording: it stops now and completes
   * (`operationCanceled`) with what the caller said so far, as a real media
   * plane would keep what it captured.
   */
  keepRecording(operationId: string): void {
    const entry = this.timers.get(operationId);
    if (entry?.recordingFrom === undefined) return;
    this.clear(operationId);
    const capturedMs = Math.max(0, Math.min(Date.now() - entry.recordingFrom, entry.durationMs));
    const heard = this.timing.caller === 'silent' ? 0 : capturedMs;
    void this.finish(entry.callId, operationId, async () => ({
      type: 'operationCompleted',
      operationId,
      recording: { completionReason: 'operationCanceled', ...(await this.keep(entry.callId, operationId, heard)) },
    }));
  }

  /** Stops what the service ended early; with `reportStops`, says how long each had played. */
  stopOperations(operationIds: readonly string[]): void {
    for (const id of operationIds) {
      const entry = this.timers.get(id);
      this.clear(id);
      if (!entry || !this.timing.reportStops) continue;
      const playedDurationMs = Math.min(Date.now() - entry.startedAt, entry.durationMs);
      this.report(entry.callId, { type: 'operationStopped', operationId: id, playedDurationMs });
    }
  }

  stopCall(callId: string): void {
    for (const [key, entry] of this.timers) if (entry.callId === callId) this.clear(key);
  }

  stopAll(): void {
    for (const key of [...this.timers.keys()]) this.clear(key);
  }

  /** Operations and calls with a report still to come. */
  get pending(): number {
    return this.timers.size;
  }

  /** A prompt played in a loop: nothing to report until it is stopped (then how long it played). */
  private playUntilStopped(callId: string, operationId: string): void {
    this.clear(operationId);
    // A timer that never fires, so the loop is pending, stoppable and measured like any other operation.
    const timer = setInterval(() => undefined, 2 ** 30);
    timer.unref();
    this.timers.set(operationId, { callId, timer, startedAt: Date.now(), durationMs: Number.POSITIVE_INFINITY });
  }

  /** Reports `report` (or what it resolves to) after `delayMs`, unless cleared first. */
  private schedule(
    key: string,
    callId: string,
    delayMs: number,
    report: MediaReportV1 | (() => Promise<MediaReportV1>),
  ): void {
    this.clear(key);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      if (typeof report !== 'function') return this.report(callId, report);
      void this.finish(callId, key, report);
    }, delayMs);
    this.timers.set(key, { callId, timer, startedAt: Date.now(), durationMs: delayMs });
  }

  /** Reports what `make` resolves to; a failure to make it fails the operation. */
  private async finish(callId: string, operationId: string, make: () => Promise<MediaReportV1>): Promise<void> {
    let report: MediaReportV1;
    try {
      report = await make();
    } catch (error) {
      report = {
        type: 'operationFailed',
        operationId,
        resultInfo: { ...RESULT_UNSPECIFIED, message: `${RESULT_UNSPECIFIED.message} ${String(error)}` },
      };
    }
    this.report(callId, report);
  }

  private clear(key: string): void {
    const entry = this.timers.get(key);
    if (entry) clearTimeout(entry.timer);
    this.timers.delete(key);
  }
}
