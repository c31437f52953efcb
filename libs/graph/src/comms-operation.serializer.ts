import type { MediaOperationKind, MediaOperationProps, ResultInfo } from '@calls/domain';

const ODATA_TYPES: Record<MediaOperationKind, string> = {
  playPrompt: '#microsoft.graph.playPromptOperation',
  recordResponse: '#microsoft.graph.recordOperation',
  subscribeToTone: '#microsoft.graph.subscribeToToneOperation',
  cancelMediaProcessing: '#microsoft.graph.cancelMediaProcessingOperation',
};

export function odataTypeOf(kind: MediaOperationKind): string {
  return ODATA_TYPES[kind];
}

export function toGraphResultInfo(info: ResultInfo | null): Record<string, unknown> | null {
  return info ? { '@odata.type': '#microsoft.graph.resultInfo', ...info } : null;
}

/**
 * A domain operation as Graph's commsOperation subtype. The cancel operation
 * also carries `cancelledOperations`: Graph's type is open, so clients that
 * do not know the property keep it as additional data and break on nothing.
 */
export function toGraphOperation(op: Readonly<MediaOperationProps>): Record<string, unknown> {
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
  if (op.kind === 'cancelMediaProcessing') {
    body.cancelledOperations = (op.cancelledOperations ?? []).map((ref) => ({
      '@odata.type': ODATA_TYPES[ref.kind],
      id: ref.id,
      clientContext: ref.clientContext,
      previousStatus: ref.previousStatus,
    }));
  }
  return body;
}

/** Graph's URL of an operation, which `Location` and notifications carry. */
export function operationPath(callId: string, operationId: string): string {
  return `/communications/calls/${callId}/operations/${operationId}`;
}
