import {
  CallCreated,
  CallEstablished,
  CallEvent,
  CallTerminated,
  MediaOperationEnded,
  MediaOperationQueued,
  MediaOperationStarted,
  MediaProcessingCancelled,
  ToneReceived,
} from '@calls/domain';
import { CallRef, CALLS_V1, IntegrationEvent } from './calls-v1.contracts';
import { toOperationV1 } from './operation-v1.mapper';

/**
 * Domain event -> integration event, once, as the outbox row is written: the
 * row then holds exactly what will be published, however the domain evolves.
 * `callbackUri` comes from the call, which every event is raised on.
 */
export function toIntegrationEvent(event: CallEvent, callbackUri: string): IntegrationEvent {
  const ref: CallRef = {
    callId: event.callId,
    tenantId: event.owner.tenantId,
    appId: event.owner.appId,
    callbackUri,
  };
  const of = (type: IntegrationEvent['type'], data: IntegrationEvent['data']): IntegrationEvent => ({
    type,
    callId: event.callId,
    occurredAt: event.occurredAt,
    data,
  });
  if (event instanceof CallCreated) return of(CALLS_V1.callCreated, { ...ref, state: 'establishing' });
  if (event instanceof CallEstablished) return of(CALLS_V1.callEstablished, { ...ref, state: 'established' });
  if (event instanceof CallTerminated) {
    return of(CALLS_V1.callTerminated, {
      ...ref,
      state: 'terminated',
      previousState: event.previousState,
      resultInfo: { ...event.resultInfo },
    });
  }
  if (event instanceof MediaOperationQueued) {
    return of(CALLS_V1.mediaOperationQueued, { ...ref, operationId: event.operationId, kind: event.kind });
  }
  if (event instanceof MediaOperationStarted) {
    const op = event.operation;
    return of(CALLS_V1.mediaOperationStarted, {
      ...ref,
      operation: {
        id: op.id,
        kind: op.kind,
        clientContext: op.clientContext,
        prompts: [...(op.parameters.prompts ?? [])],
        record: op.parameters.record ? { ...op.parameters.record } : null,
      },
    });
  }
  if (event instanceof MediaOperationEnded) {
    return of(CALLS_V1.mediaOperationEnded, {
      ...ref,
      operation: toOperationV1(event.operation),
    });
  }
  if (event instanceof MediaProcessingCancelled) {
    return of(CALLS_V1.mediaProcessingCancelled, {
      ...ref,
      cancelOperation: { id: event.cancelOperationId, clientContext: event.clientContext },
      cancelledOperations: event.cancelled.map((ref) => ({ ...ref })),
    });
  }
  if (event instanceof ToneReceived) {
    return of(CALLS_V1.toneReceived, { ...ref, toneInfo: { sequenceId: event.sequenceId, tone: event.tone } });
  }
  throw new Error(`No integration event for ${event.eventName}`);
}
