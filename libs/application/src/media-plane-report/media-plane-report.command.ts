import { Command } from '@nestjs/cqrs';
import type { CompletionReason, RecordingOutcome, ResultInfo } from '@calls/domain';

/** What the media plane can tell the service about a call it serves. */
export type MediaPlaneReport =
  | { readonly type: 'callEstablished' }
  /** The caller hung up, or its media stopped arriving: the call ends. */
  | { readonly type: 'callDisconnected'; readonly reason: 'hungUp' | 'mediaTimeout' }
  | { readonly type: 'operationCompleted'; readonly operationId: string; readonly recording?: RecordingOutcome }
  | {
      readonly type: 'operationFailed';
      readonly operationId: string;
      readonly resultInfo: ResultInfo;
      /** Why a recording failed (initialSilenceTimeout, say); unspecifiedError when not said. */
      readonly completionReason?: CompletionReason;
    }
  | { readonly type: 'toneReceived'; readonly tone: string }
  /** The plane stopped an operation the service ended (cancel, barge-in, hang-up), after playing this long. */
  | { readonly type: 'operationStopped'; readonly operationId: string; readonly playedDurationMs: number };

/** Applies a media-plane report; answers false when it changed nothing (late or duplicate). */
export class ApplyMediaPlaneReportCommand extends Command<boolean> {
  constructor(
    readonly callId: string,
    readonly report: MediaPlaneReport,
  ) {
    super();
  }
}
