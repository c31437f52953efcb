import { randomUUID } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import { traceContextOf } from '@calls/runtime';

/** What a media plane reports back to the service, as CloudEvents on the media exchange. */
export const MEDIA_V1 = {
  callConnected: 'media.v1.call.connected',
  callDisconnected: 'media.v1.call.disconnected',
  operationCompleted: 'media.v1.operation.completed',
  operationFailed: 'media.v1.operation.failed',
  toneReceived: 'media.v1.tone.received',
  operationStopped: 'media.v1.operation.stopped',
} as const;

/** Graph's recordCompletionReason values a media plane may report. */
export const RECORD_COMPLETION_REASONS = [
  'operationCanceled',
  'stopToneDetected',
  'maxRecordDurationReached',
  'initialSilenceTimeout',
  'maxSilenceTimeout',
  'playPromptFailed',
  'playBeepFailed',
  'mediaReceiveTimeout',
  'unspecifiedError',
] as const;

/**
 * The media plane's wire contract (media.v1), owned here rather than borrowed
 * from the application's command: another process writes it, so it is
 * checked field by field when it arrives (`parseMediaReport`), and the
 * service maps it to its own command.
 */
export type MediaReportV1 =
  | { readonly type: 'callEstablished' }
  /**
   * The caller is gone: it hung up (`hungUp`: the edge ended the media) or its
   * media stopped arriving (`mediaTimeout`). The call cannot go on.
   */
  | { readonly type: 'callDisconnected'; readonly reason: 'hungUp' | 'mediaTimeout' }
  | {
      readonly type: 'operationCompleted';
      readonly operationId: string;
      readonly recording?: {
        readonly completionReason: (typeof RECORD_COMPLETION_REASONS)[number];
        readonly recordingLocation: string | null;
        readonly recordingAccessToken: string | null;
      };
    }
  | {
      readonly type: 'operationFailed';
      readonly operationId: string;
      readonly resultInfo: { readonly code: number; readonly subcode: number; readonly message: string };
      /** A failed recording's reason (added in v1 as an optional field; without it, `unspecifiedError`). */
      readonly completionReason?: (typeof RECORD_COMPLETION_REASONS)[number];
    }
  | { readonly type: 'toneReceived'; readonly tone: string }
  /** It stopped an operation the service ended (cancel, barge-in, hang-up) after playing this long. */
  | { readonly type: 'operationStopped'; readonly operationId: string; readonly playedDurationMs: number };

export interface MediaReportData {
  readonly callId: string;
  readonly report: MediaReportV1;
}

const TYPE_OF: Record<MediaReportV1['type'], string> = {
  callEstablished: MEDIA_V1.callConnected,
  callDisconnected: MEDIA_V1.callDisconnected,
  operationCompleted: MEDIA_V1.operationCompleted,
  operationFailed: MEDIA_V1.operationFailed,
  toneReceived: MEDIA_V1.toneReceived,
  operationStopped: MEDIA_V1.operationStopped,
};

/** A report as a CloudEvent, in the trace of the event that caused it (the active context), if any. */
export function toMediaReportEvent(source: string, callId: string, report: MediaReportV1): CloudEvent<MediaReportData> {
  return new CloudEvent<MediaReportData>({
    id: randomUUID(),
    source,
    type: TYPE_OF[report.type],
    subject: `/communications/calls/${callId}`,
    datacontenttype: 'application/json',
    data: { callId, report },
    ...traceContextOf(),
  });
}

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const isNullableString = (value: unknown) => value === null || typeof value === 'string';
const isInt = (value: unknown) => Number.isInteger(value);

/** The report a payload holds if it is a well-formed media.v1 report, else null. */
export function parseMediaReport(report: unknown): MediaReportV1 | null {
  if (!report || typeof report !== 'object') return null;
  const r = report as Record<string, unknown>;
  switch (r.type) {
    case 'callEstablished':
      return { type: 'callEstablished' };
    case 'callDisconnected':
      return r.reason === 'hungUp' || r.reason === 'mediaTimeout'
        ? { type: 'callDisconnected', reason: r.reason }
        : null;
    case 'toneReceived':
      return isString(r.tone) && r.tone.length <= 1 ? { type: 'toneReceived', tone: r.tone } : null;
    case 'operationStopped':
      return isString(r.operationId) && typeof r.playedDurationMs === 'number' && r.playedDurationMs >= 0
        ? { type: 'operationStopped', operationId: r.operationId, playedDurationMs: r.playedDurationMs }
        : null;
    case 'operationFailed': {
      const info = r.resultInfo as Record<string, unknown> | undefined;
      if (
        !isString(r.operationId) ||
        !info ||
        !isInt(info.code) ||
        !isInt(info.subcode) ||
        typeof info.message !== 'string'
      )
        return null;
      const reason = RECORD_COMPLETION_REASONS.find((known) => known === r.completionReason);
      if (r.completionReason !== undefined && !reason) return null;
      const resultInfo = { code: info.code as number, subcode: info.subcode as number, message: info.message };
      return reason
        ? { type: 'operationFailed', operationId: r.operationId, resultInfo, completionReason: reason }
        : { type: 'operationFailed', operationId: r.operationId, resultInfo };
    }
    case 'operationCompleted': {
      if (!isString(r.operationId)) return null;
      if (r.recording === undefined) return { type: 'operationCompleted', operationId: r.operationId };
      const recording = r.recording as Record<string, unknown> | null;
      const reason = RECORD_COMPLETION_REASONS.find((known) => known === recording?.completionReason);
      if (!recording || !reason || !isNullableString(recording.recordingLocation)) return null;
      if (!isNullableString(recording.recordingAccessToken)) return null;
      return {
        type: 'operationCompleted',
        operationId: r.operationId,
        recording: {
          completionReason: reason,
          recordingLocation: recording.recordingLocation as string | null,
          recordingAccessToken: recording.recordingAccessToken as string | null,
        },
      };
    }
    default:
      return null;
  }
}

/** The report a media event carries, or null for one this service does not know or that is malformed. */
export function fromMediaReportEvent(event: CloudEvent<MediaReportData>): MediaReportData | null {
  const data = event.data as { callId?: unknown; report?: unknown } | undefined;
  if (!data || !isString(data.callId)) return null;
  const report = parseMediaReport(data.report);
  if (!report || TYPE_OF[report.type] !== event.type) return null;
  return { callId: data.callId, report };
}
