import { Logger } from '@nestjs/common';
import { connect, ChannelModel, ConsumeMessage } from 'amqplib';
import type { CloudEvent } from 'cloudevents';
import { brokerConnected, inSpanFrom, SpanKind } from '@calls/runtime';
import { parseCloudEvent, traceContextOfEvent } from '../contracts/cloud-event';
import type { CallsV1Data } from '../contracts/calls-v1.contracts';

export interface RabbitMqConsumerSettings {
  readonly url: string;
  readonly exchange: string;
  /** Durable queue of this subscriber; replicas of one subscriber share it. */
  readonly queue: string;
  readonly bindingKeys: readonly string[];
  readonly prefetch: number;
}

/**
 * Consumes CloudEvents from a durable queue bound to the events exchange,
 * acknowledging a message only after the handler resolved (at least once).
 * A handler failure puts the message back after a pause; a message that is
 * not a CloudEvent is dropped with a log line, since no retry can mend it.
 * A lost connection is re-established with a growing pause, without a restart.
 */
export class RabbitMqConsumer<T = CallsV1Data> {
  private readonly logger = new Logger(RabbitMqConsumer.name);
  private connection: ChannelModel | null = null;
  private running = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private failures = 0;

  private readonly connected: { set(value: number): void };
  private queueBound = false;

  constructor(
    private readonly settings: RabbitMqConsumerSettings,
    private readonly handle: (event: CloudEvent<T>) => Promise<void>,
  ) {
    this.connected = brokerConnected.labels('consume', settings.queue);
    this.connected.set(0);
  }

  /** Whether the queue has been declared and bound once: from then on nothing published to it is lost. */
  get bound(): boolean {
    return this.queueBound;
  }

  async start(): Promise<void> {
    this.running = true;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const connection = this.connection;
    this.connection = null;
    this.connected.set(0);
    await connection?.close().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    try {
      const connection = await connect(this.settings.url);
      if (!this.running) {
        // stopped while connecting: this connection must not outlive the consumer
        await connection.close().catch(() => undefined);
        return;
      }
      this.connection = connection;
      connection.on('error', (error: Error) => this.logger.warn(`broker connection error: ${error.message}`));
      connection.on('close', () => {
        this.connection = null;
        this.connected.set(0);
        this.scheduleReconnect();
      });
      const channel = await connection.createChannel();
      await channel.assertExchange(this.settings.exchange, 'topic', { durable: true });
      await channel.assertQueue(this.settings.queue, { durable: true });
      for (const key of this.settings.bindingKeys)
        await channel.bindQueue(this.settings.queue, this.settings.exchange, key);
      // The durable queue now receives every event published from here on, consumer connected or not.
      this.queueBound = true;
      await channel.prefetch(this.settings.prefetch);
      await channel.consume(this.settings.queue, (message) => {
        if (message) void this.onMessage(channel, message);
      });
      this.connected.set(1);
      this.failures = 0;
    } catch (error) {
      this.logger.warn(`cannot consume from the broker: ${(error as Error).message}`);
      await this.connection?.close().catch(() => undefined);
      this.connection = null;
      this.scheduleReconnect();
    }
  }

  private async onMessage(
    channel: { ack(m: ConsumeMessage): void; nack(m: ConsumeMessage, all?: boolean, requeue?: boolean): void },
    message: ConsumeMessage,
  ): Promise<void> {
    let event: CloudEvent<T>;
    try {
      event = parseCloudEvent<T>(message.content);
    } catch (error) {
      this.logger.error(`dropping a message that is not a CloudEvent: ${(error as Error).message}`);
      channel.nack(message, false, false);
      return;
    }
    try {
      // The subscriber's work joins the trace of the request that caused the event.
      await inSpanFrom(
        traceContextOfEvent(event),
        `process ${event.type}`,
        SpanKind.CONSUMER,
        {
          'messaging.system': 'rabbitmq',
          'messaging.operation.type': 'process',
          'messaging.destination.name': this.settings.queue,
          'messaging.message.id': event.id,
          'cloudevents.event_id': event.id,
          'cloudevents.event_type': event.type,
        },
        () => this.handle(event),
      );
      channel.ack(message);
    } catch (error) {
      this.logger.warn(`event ${event.id} not taken, will come again: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      try {
        channel.nack(message, false, true);
      } catch {
        // the channel closed meanwhile: the broker redelivers the message anyway
      }
    }
  }

  private scheduleReconnect(): void {
    if (!this.running || this.reconnectTimer) return;
    this.failures += 1;
    const delay = Math.min(10_000, 200 * 2 ** Math.min(this.failures, 10));
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
  }
}
