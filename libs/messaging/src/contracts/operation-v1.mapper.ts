import type { MediaOperationKind, MediaOperationProps, ResultInfo } from '@calls/domain';
import type { OperationV1 } from './calls-v1.contracts';

/*
 * The operation as calls.v1 publishes it. It has the shape of Graph's
 * commsOperation subtypes, because the notifier hands it to bots as such,
 * but it is written here, on purpose apart from the HTTP serializer in
 * @calls/graph: a change to a Graph response must not change a published v1
 * payload. The fields and their order are fixed (a test holds the bytes);
 * a change is a calls.v2.
 */

const ODATA_TYPE_V1: Record<MediaOperationKind, OperationV1['@odata.type']> = {
  playPrompt: '#microsoft.graph.playPromptOperation',
  recordResponse: '#microsoft.graph.recordOperation',
  subscribeToTone: '#microsoft.graph.subscribeToToneOperation',
  cancelMediaProcessing: '#microsoft.graph.cancelMediaProcessingOperation',
  sendDtmfTones: '#microsoft.graph.sendDtmfTonesOperation',
  updateRecordingStatus: '#microsoft.graph.updateRecordingStatusOperation',
};

const resultInfoV1 = (info: ResultInfo | null) =>
  info
    ? {
        '@odata.type': '#microsoft.graph.resultInfo' as const,
        code: info.code,
        subcode: info.subcode,
        message: info.message,
      }
    : null;

/** Milliseconds as an ISO 8601 duration (`PT1.25S`), as Graph writes Edm.Duration. */
export function durationV1(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms)) / 1000;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = Number((totalSeconds % 60).toFixed(3));
  const showSeconds = seconds !== 0 || (hours === 0 && minutes === 0);
  return `PT${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${showSeconds ? `${seconds}S` : ''}`;
}

export function toOperationV1(op: Readonly<MediaOperationProps>): OperationV1 {
  const body: Record<string, unknown> = {
    '@odata.type': ODATA_TYPE_V1[op.kind],
    id: op.id,
    status: op.status,
    clientContext: op.clientContext,
    resultInfo: resultInfoV1(op.resultInfo),
  };
  if (op.kind === 'recordResponse') {
    body.completionReason = op.completionReason;
    body.recordingLocation = op.recordingLocation;
    body.recordingAccessToken = op.recordingAccessToken;
  }
  if (op.kind === 'sendDtmfTones') body.completionReason = op.completionReason;
  if (op.playedDurationMs !== null) body.playedDuration = durationV1(op.playedDurationMs);
  if (op.kind === 'cancelMediaProcessing') {
    body.cancelledOperations = (op.cancelledOperations ?? []).map((ref) => {
      const cancelled: Record<string, unknown> = {
        '@odata.type': ODATA_TYPE_V1[ref.kind],
        id: ref.id,
        clientContext: ref.clientContext,
        previousStatus: ref.previousStatus,
      };
      // A cancel stored before playedDuration was recorded does not know it: say nothing rather than PT0S.
      if (ref.playedDurationMs != null) cancelled.playedDuration = durationV1(ref.playedDurationMs);
      return cancelled;
    });
    if (op.notCancelledOperations) {
      body.notCancelledOperations = op.notCancelledOperations.map((ref) => ({ id: ref.id, status: ref.status }));
    }
  }
  return body as unknown as OperationV1;
}
