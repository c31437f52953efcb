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
  // The call's reference first, then the event's own fields, spread last: a key written after a spread
  // is slow on Node 20 (docs/performance.md, "No key after an object spread").
  const withRef = <T extends object>(fields: T): CallRef & T => ({
    callId: event.callId,
    tenantId: event.owner.tenantId,
    appId: event.owner.appId,
    callbackUri,
    ...fields,
  });
  const of = (type: IntegrationEvent['type'], data: IntegrationEvent['data']): IntegrationEvent => ({
    type,
    callId: event.callId,
    occurredAt: event.occurredAt,
    data,
  });
  if (event instanceof CallCreated) {
    return of(CALLS_V1.callCreated, withRef({ state: 'establishing', direction: event.direction }));
  }
  if (event instanceof CallEstablished) {
    return of(CALLS_V1.callEstablished, withRef({ state: 'established', direction: event.direction }));
  }
  if (event instanceof CallTerminated) {
    return of(
      CALLS_V1.callTerminated,
      withRef({
        state: 'terminated',
        previousState: event.previousState,
        resultInfo: { ...event.resultInfo },
      }),
    );
  }
  if (event instanceof MediaOperationQueued) {
    return of(CALLS_V1.mediaOperationQueued, withRef({ operationId: event.operationId, kind: event.kind }));
  }
  if (event instanceof MediaOperationStarted) {
    const op = event.operation;
    const { dtmf } = op.parameters;
    return of(
      CALLS_V1.mediaOperationStarted,
      withRef({
        operation: {
          id: op.id,
          kind: op.kind,
          clientContext: op.clientContext,
          prompts: [...(op.parameters.prompts ?? [])],
          record: op.parameters.record ? { ...op.parameters.record } : null,
          // Only on a sendDtmfTones: the other kinds' payloads stay byte for byte what they were.
          ...(dtmf ? { dtmf: { tones: [...dtmf.tones], delayBetweenTonesMs: dtmf.delayBetweenTonesMs } } : {}),
          ...(op.parameters.loop ? { loop: true as const } : {}),
        },
      }),
    );
  }
  if (event instanceof MediaOperationEnded) {
    return of(
      CALLS_V1.mediaOperationEnded,
      withRef({
        operation: toOperationV1(event.operation),
      }),
    );
  }
  if (event instanceof MediaProcessingCancelled) {
    return of(
      CALLS_V1.mediaProcessingCancelled,
      withRef({
        cancelOperation: { id: event.cancelOperationId, clientContext: event.clientContext },
        cancelledOperations: event.cancelled.map((ref) => ({ ...ref })),
      }),
    );
  }
  if (event instanceof ToneReceived) {
    return of(CALLS_V1.toneReceived, withRef({ toneInfo: { sequenceId: event.sequenceId, tone: event.tone } }));
  }
  throw new Error(`No integration event for ${event.eventName}`);
}
