import { randomUUID } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import type { MediaPlaneReport } from '@calls/application';
import { traceContextOf } from '@calls/runtime';

/** What a media plane reports back to the service, as CloudEvents on the media exchange. */
export const MEDIA_V1 = {
  callConnected: 'media.v1.call.connected',
  operationCompleted: 'media.v1.operation.completed',
  operationFailed: 'media.v1.operation.failed',
  toneReceived: 'media.v1.tone.received',
  operationStopped: 'media.v1.operation.stopped',
} as const;

export interface MediaReportData {
  readonly callId: string;
  readonly report: MediaPlaneReport;
}

const TYPE_OF: Record<MediaPlaneReport['type'], string> = {
  callEstablished: MEDIA_V1.callConnected,
  operationCompleted: MEDIA_V1.operationCompleted,
  operationFailed: MEDIA_V1.operationFailed,
  toneReceived: MEDIA_V1.toneReceived,
  operationStopped: MEDIA_V1.operationStopped,
};

/** A report as a CloudEvent, in the trace of the event that caused it (the active context), if any. */
export function toMediaReportEvent(
  source: string,
  callId: string,
  report: MediaPlaneReport,
): CloudEvent<MediaReportData> {
  return new CloudEvent<MediaReportData>({
    ...traceContextOf(),
    id: randomUUID(),
    source,
    type: TYPE_OF[report.type],
    subject: `/communications/calls/${callId}`,
    datacontenttype: 'application/json',
    data: { callId, report },
  });
}

/** The report a media event carries, or null for an event this service does not know. */
export function fromMediaReportEvent(event: CloudEvent<MediaReportData>): MediaReportData | null {
  const data = event.data;
  if (!data || typeof data.callId !== 'string' || !data.report || TYPE_OF[data.report.type] !== event.type) return null;
  return data;
}
