import type { MediaOperationKind, MediaOperationProps, ResultInfo } from '@calls/domain';

const ODATA_TYPES: Record<MediaOperationKind, string> = {
  playPrompt: '#microsoft.graph.playPromptOperation',
  recordResponse: '#microsoft.graph.recordOperation',
  subscribeToTone: '#microsoft.graph.subscribeToToneOperation',
  cancelMediaProcessing: '#microsoft.graph.cancelMediaProcessingOperation',
  sendDtmfTones: '#microsoft.graph.sendDtmfTonesOperation',
  updateRecordingStatus: '#microsoft.graph.updateRecordingStatusOperation',
};

export function odataTypeOf(kind: MediaOperationKind): string {
  return ODATA_TYPES[kind];
}

/**
 * Milliseconds as an ISO 8601 duration, the way Graph writes Edm.Duration
 * (`PT0S`, `PT1.25S`, `PT2M3.5S`).
 */
export function isoDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms)) / 1000;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = Number((totalSeconds % 60).toFixed(3));
  const parts = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds || (!hours && !minutes) ? `${seconds}S` : ''}`;
  return `PT${parts}`;
}

export function toGraphResultInfo(info: ResultInfo | null): Record<string, unknown> | null {
  return info ? { '@odata.type': '#microsoft.graph.resultInfo', ...info } : null;
}

/**
 * A domain operation as Graph's commsOperation subtype. This service adds
 * properties Graph's types do not have: `playedDuration` on an ended
 * playPrompt or recordResponse, and on a cancel `cancelledOperations` (and
 * `notCancelledOperations` for a cancel by id). Graph's types are open, so
 * clients that do not know them keep them as additional data and break on nothing.
 */
export function toGraphOperation(
  op: Readonly<MediaOperationProps>,
  version: { readonly beta?: boolean } = {},
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    '@odata.type': ODATA_TYPES[op.kind],
    id: op.id,
    status: op.status,
    clientContext: op.clientContext,
    resultInfo: toGraphResultInfo(op.resultInfo),
  };
  if (op.kind === 'recordResponse') {
    body.completionReason = op.completionReason;
    body.recordingLocation = op.recordingLocation;
    body.recordingAccessToken = op.recordingAccessToken;
  }
  // Graph's beta playPromptOperation has a completionReason; its v1.0 one has none.
  if (op.kind === 'sendDtmfTones' || (version.beta && op.kind === 'playPrompt')) {
    body.completionReason = op.completionReason;
  }
  if (op.playedDurationMs !== null) body.playedDuration = isoDuration(op.playedDurationMs);
  if (op.kind === 'cancelMediaProcessing') {
    body.cancelledOperations = (op.cancelledOperations ?? []).map((ref) => {
      const cancelled: Record<string, unknown> = {
        '@odata.type': ODATA_TYPES[ref.kind],
        id: ref.id,
        clientContext: ref.clientContext,
        previousStatus: ref.previousStatus,
      };
      // A cancel stored before playedDuration was recorded does not know it: say nothing rather than PT0S.
      if (ref.playedDurationMs != null) cancelled.playedDuration = isoDuration(ref.playedDurationMs);
      if (ref.recordingKept) cancelled.recordingKept = true;
      return cancelled;
    });
    if (op.notCancelledOperations) {
      body.notCancelledOperations = op.notCancelledOperations.map((ref) => ({ id: ref.id, status: ref.status }));
    }
  }
  return body;
}

/** Graph's URL of an operation, which `Location` and notifications carry. */
export function operationPath(callId: string, operationId: string): string {
  return `/communications/calls/${callId}/operations/${operationId}`;
}
