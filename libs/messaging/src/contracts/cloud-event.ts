import { CloudEvent } from 'cloudevents';
import type { CallsV1Data, CallsV1Type } from './calls-v1.contracts';

export const CLOUDEVENTS_JSON = 'application/cloudevents+json';

/** An outbox row as the relay reads it: the id is the CloudEvent id, stable across retries. */
export interface OutboxMessage {
  readonly id: string;
  readonly callId: string;
  readonly type: CallsV1Type;
  readonly occurredAt: Date;
  readonly data: CallsV1Data;
}

export type CallsCloudEvent = CloudEvent<CallsV1Data>;

/** CloudEvents 1.0, structured mode: source is the call, subject its Graph resource. */
export function toCloudEvent(message: OutboxMessage): CallsCloudEvent {
  return new CloudEvent<CallsV1Data>({
    id: message.id,
    source: `/communications/calls/${message.callId}`,
    type: message.type,
    time: message.occurredAt.toISOString(),
    subject: subjectOf(message),
    datacontenttype: 'application/json',
    data: message.data,
  });
}

function subjectOf(message: OutboxMessage): string {
  const data = message.data as { operationId?: string; operation?: { id: string } };
  const operationId = data.operation?.id ?? data.operationId;
  return operationId
    ? `/communications/calls/${message.callId}/operations/${operationId}`
    : `/communications/calls/${message.callId}`;
}

/** Parses a structured-mode CloudEvent body; throws on anything that is not a valid CloudEvent. */
export function parseCloudEvent<T = CallsV1Data>(body: string | Buffer): CloudEvent<T> {
  const parsed = JSON.parse(body.toString()) as Record<string, unknown>;
  return new CloudEvent<T>(parsed as never);
}
