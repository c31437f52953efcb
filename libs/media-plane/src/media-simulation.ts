import { randomBytes } from 'node:crypto';
import type { MediaReportV1 } from '@calls/messaging';

export interface MediaSimulationTiming {
  readonly connectMs: number;
  /** How long each prompt "plays". */
  readonly promptMs: number;
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
  /** Set for sendDtmfTones: it "sends" each tone for DTMF_TONE_MS, with the pause between two. */
  readonly dtmf?: { readonly toneCount: number; readonly delayBetweenTonesMs: number };
}

/** How long one simulated DTMF tone lasts: the media gateway's (and rtpengine's default) tone length. */
export const DTMF_TONE_MS = 100;

/** How long a sequence of tones takes to send: each tone, and the pause between two. */
export function dtmfDurationMs(toneCount: number, delayBetweenTonesMs: number): number {
  return toneCount * DTMF_TONE_MS + Math.max(0, toneCount - 1) * delayBetweenTonesMs;
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
    { callId: string; timer: NodeJS.Timeout; startedAt: number; durationMs: number }
  >();

  constructor(
    private readonly timing: MediaSimulationTiming,
    private readonly report: (callId: string, report: MediaReportV1) => void,
  ) {}

  callCreated(callId: string): void {
    this.schedule(`call:${callId}`, callId, this.timing.connectMs, { type: 'callEstablished' });
  }

  operationStarted(callId: string, operation: StartedOperation): void {
    const { dtmf } = operation;
    const playing = dtmf
      ? dtmfDurationMs(dtmf.toneCount, dtmf.delayBetweenTonesMs)
      : operation.promptCount * this.timing.promptMs;
    if (operation.maxRecordDurationInSeconds === undefined) {
      this.schedule(operation.id, callId, playing, { type: 'operationCompleted', operationId: operation.id });
      return;
    }
    this.schedule(operation.id, callId, playing + operation.maxRecordDurationInSeconds * 1000, {
      type: 'operationCompleted',
      operationId: operation.id,
      recording: {
        completionReason: 'maxRecordDurationReached',
        // A simulated recording lives nowhere; the reserved .invalid domain says so.
        recordingLocation: `https://recordings.invalid/${operation.id}.wav`,
        recordingAccessToken: randomBytes(16).toString('hex'),
      },
    });
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

  private schedule(key: string, callId: string, delayMs: number, report: MediaReportV1): void {
    this.clear(key);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.report(callId, report);
    }, delayMs);
    this.timers.set(key, { callId, timer, startedAt: Date.now(), durationMs: delayMs });
  }

  private clear(key: string): void {
    const entry = this.timers.get(key);
    if (entry) clearTimeout(entry.timer);
    this.timers.delete(key);
  }
}
