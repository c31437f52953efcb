import { CloudEvent } from 'cloudevents';
import type { CloudEventV1 } from 'cloudevents';
import type { TraceContext } from '@calls/runtime';
import type { CallsV1Data, CallsV1Type } from './calls-v1.contracts';

export const CLOUDEVENTS_JSON = 'application/cloudevents+json';

/** An outbox row as the relay reads it: the id is the CloudEvent id, stable across retries. */
export interface OutboxMessage {
  readonly id: string;
  readonly callId: string;
  readonly type: CallsV1Type;
  readonly occurredAt: Date;
  readonly data: CallsV1Data;
  /** The trace context of the request or message that wrote the row; empty when tracing was off. */
  readonly trace: TraceContext;
}

/** A calls.v1 event as the publishers take it: the attributes and data of a CloudEvents 1.0 event. */
export type CallsCloudEvent = CloudEventV1<CallsV1Data>;

/**
 * CloudEvents 1.0, structured mode: source is the call, subject its Graph
 * resource, and `traceparent`/`tracestate` (the distributed-tracing
 * extension) when the event belongs to a trace, by default the row's own.
 *
 * A plain object with the attributes in the order the library's `CloudEvent`
 * serializes them (its `toJSON`), so `JSON.stringify` writes the very bytes
 * it wrote, rather than an instance of the library's class: its constructor
 * copies the attributes and deletes them one by one from the copy, its
 * `toJSON` copies them again and parses the time back into a Date, for
 * attributes that all come from typed code (ids we mint, types from CALLS_V1,
 * the time of a Date): work for nothing on every event (docs/performance.md).
 * The library still validates: an event
 * of every type in cloud-event.spec.ts, and every event a subscriber parses
 * (`parseCloudEvent`).
 */
export function toCloudEvent(message: OutboxMessage, trace: TraceContext = message.trace): CallsCloudEvent {
  return {
    id: message.id,
    time: message.occurredAt.toISOString(),
    type: message.type,
    source: `/communications/calls/${message.callId}`,
    specversion: '1.0',
    datacontenttype: 'application/json',
    subject: subjectOf(message),
    data: inKeyOrder(message.data),
    ...(trace.traceparent ? { traceparent: trace.traceparent } : {}),
    ...(trace.tracestate ? { tracestate: trace.tracestate } : {}),
  };
}

/**
 * The data with every object's keys in one order (sorted), so an event
 * published twice carries the very same bytes whichever path sent it: the
 * saving replica publishes from memory, in the order the mapper wrote the
 * keys, and the relay from the stored jsonb, which does not keep key order.
 */
function inKeyOrder<T>(value: T): T {
  if (Array.isArray(value)) return value.map(inKeyOrder) as T;
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = inKeyOrder((value as Record<string, unknown>)[key]);
  return sorted as T;
}

function subjectOf(message: OutboxMessage): string {
  const data = message.data as { operationId?: string; operation?: { id: string } };
  const operationId = data.operation?.id ?? data.operationId;
  return operationId
    ? `/communications/calls/${message.callId}/operations/${operationId}`
    : `/communications/calls/${message.callId}`;
}

/** The distributed-tracing extension of an event: what a subscriber's span takes as its parent. */
export function traceContextOfEvent(event: CloudEventV1<unknown>): TraceContext {
  const { traceparent, tracestate } = event as unknown as Record<string, unknown>;
  return {
    ...(typeof traceparent === 'string' ? { traceparent } : {}),
    ...(typeof tracestate === 'string' ? { tracestate } : {}),
  };
}

/** Parses a structured-mode CloudEvent body; throws on anything that is not a valid CloudEvent. */
export function parseCloudEvent<T = CallsV1Data>(body: string | Buffer): CloudEvent<T> {
  const parsed = JSON.parse(body.toString()) as Record<string, unknown>;
  return new CloudEvent<T>(parsed as never);
}
