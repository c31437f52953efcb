/*
 * A subscriber of calls-service's events: what a media plane, an analytics
 * job or any other consumer of `calls.v1` writes first. It
 * - binds its own durable queue to the service's topic exchange, so events
 *   published while it is down wait for it;
 * - reads each message as a CloudEvent (the `cloudevents` package) and the
 *   payload through the typed contract (calls-v1.contracts.ts, which
 *   asyncapi.yaml describes);
 * - acknowledges a message only once it has handled it, and rejects one that
 *   is not a CloudEvent without requeueing it (it would never become one);
 * - drops repeats by event id: delivery is at least once;
 * - continues the trace of the request that caused the event (its
 *   `traceparent`), so its work shows under that request.
 */
import { connect } from 'amqplib';
import type { ChannelModel, ConsumeMessage } from 'amqplib';
import { CloudEvent } from 'cloudevents';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import type { CallsV1Data, CallsV1Type } from '../../libs/messaging/src/contracts/calls-v1.contracts';

export interface SubscriberSettings {
  readonly amqpUrl: string;
  /** The service's exchange (its AMQP_EXCHANGE). */
  readonly exchange: string;
  /** This subscriber's own queue: durable, named per application, shared by its replicas. */
  readonly queue: string;
  /** Which events, as routing keys (the event types); `calls.v1.#` for all. */
  readonly bindingKeys: readonly string[];
  /** Messages in flight at once. */
  readonly prefetch?: number;
}

export type CallsEvent = CloudEvent<CallsV1Data> & { type: CallsV1Type };

export interface Subscription {
  stop(): Promise<void>;
}

const tracer = trace.getTracer('calls-subscriber-example');

export async function subscribe(
  settings: SubscriberSettings,
  handle: (event: CallsEvent) => Promise<void>,
): Promise<Subscription> {
  const connection: ChannelModel = await connect(settings.amqpUrl);
  const channel = await connection.createChannel();
  await channel.assertExchange(settings.exchange, 'topic', { durable: true });
  await channel.assertQueue(settings.queue, { durable: true });
  for (const key of settings.bindingKeys) await channel.bindQueue(settings.queue, settings.exchange, key);
  await channel.prefetch(settings.prefetch ?? 20);
  const seen = new RecentIds(10_000);

  const onMessage = async (message: ConsumeMessage): Promise<void> => {
    let event: CallsEvent;
    try {
      // Structured mode: the body is the whole CloudEvent as JSON. The constructor validates it.
      event = new CloudEvent(JSON.parse(message.content.toString('utf8'))) as CallsEvent;
    } catch {
      channel.nack(message, false, false); // not a CloudEvent: to the dead-letter exchange, if the queue has one
      return;
    }
    if (seen.has(event.id)) {
      channel.ack(message); // a repeat (at least once): already handled
      return;
    }
    // The request's trace, carried in the event's distributed-tracing extension.
    const carrier = {
      traceparent: event.traceparent as string | undefined,
      tracestate: event.tracestate as string | undefined,
    };
    const parent = propagation.extract(context.active(), carrier);
    try {
      await tracer.startActiveSpan(`process ${event.type}`, { kind: SpanKind.CONSUMER }, parent, async (span) => {
        try {
          await handle(event);
        } finally {
          span.end();
        }
      });
      seen.add(event.id);
      channel.ack(message);
    } catch {
      // Our own failure: back on the queue, to be tried again (by this replica or another).
      channel.nack(message, false, true);
    }
  };
  const { consumerTag } = await channel.consume(settings.queue, (message) => {
    if (message) void onMessage(message);
  });

  return {
    async stop() {
      await channel.cancel(consumerTag);
      await connection.close();
    },
  };
}

/** The ids handled lately, oldest forgotten first. A subscriber with a database keeps them there instead. */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity: number) {}
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
  }
}
