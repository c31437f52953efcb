import { Logger } from '@nestjs/common';
import { connect, ChannelModel, ConfirmChannel } from 'amqplib';
import type { CloudEventV1 } from 'cloudevents';
import { Writable } from 'node:stream';
import { brokerConnected } from '@calls/runtime';
import { CLOUDEVENTS_JSON } from '../contracts/cloud-event';
import type { IntegrationEventPublisher } from '../outbox/outbox.ports';

export interface RabbitMqSettings {
  readonly url: string;
  /** Durable topic exchange; routing key = CloudEvent type. */
  readonly exchange: string;
  /** Give up on a connection or a batch's confirms after this long. */
  readonly timeoutMs: number;
}

/**
 * Publishes CloudEvents (structured JSON) to a durable topic exchange on a
 * confirm channel, and resolves only when the broker confirmed every message
 * of the batch (several batches may be in flight at once). Any failure drops the connection; the next batch connects
 * anew, so a broker that comes back is used again without a restart.
 */
export class RabbitMqPublisher implements IntegrationEventPublisher {
  private readonly logger = new Logger(RabbitMqPublisher.name);
  private connection: ChannelModel | null = null;
  private channel: ConfirmChannel | null = null;

  private opening: Promise<ConfirmChannel> | null = null;
  private closed = false;
  private readonly connected: { set(value: number): void };

  constructor(private readonly settings: RabbitMqSettings) {
    this.connected = brokerConnected.labels('publish', settings.exchange);
    this.connected.set(0);
  }

  /** Connects ahead of the first event, so `broker_connected` tells the truth from the start. */
  async connect(): Promise<void> {
    await this.ensureChannel();
  }

  async publish(events: readonly CloudEventV1<unknown>[]): Promise<void> {
    if (events.length === 0) return;
    const channel = await this.ensureChannel();
    const wire = this.wire();
    wire?.socket.cork();
    try {
      // Each message's own confirm: waitForConfirms waits for everything unconfirmed on the channel, so
      // concurrent publishers (each save's direct publish) would each wait on all the others' messages.
      let confirms: Promise<void>[];
      try {
        confirms = events.map(
          (event) =>
            new Promise<void>((resolve, reject) =>
              channel.publish(
                this.settings.exchange,
                event.type,
                Buffer.from(JSON.stringify(event)),
                {
                  persistent: true,
                  contentType: CLOUDEVENTS_JSON,
                  messageId: event.id,
                  type: event.type,
                  timestamp: Math.floor(Date.parse(event.time ?? new Date().toISOString()) / 1000),
                },
                (error: unknown) =>
                  error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
              ),
            ),
        );
      } finally {
        if (wire) sendInThisTurn(wire);
      }
      await withTimeout(Promise.all(confirms), this.settings.timeoutMs, 'publisher confirms');
    } catch (error) {
      await this.reset();
      throw error;
    }
  }

  /**
   * The connection's socket and muxer. amqplib writes every message to the
   * socket with a write of its own (its channel buffer is in object mode):
   * four system calls for a cancel's four events, each also doing the
   * loopback's TCP work. Corked while a batch is handed over, the batch
   * leaves in one writev (see sendInThisTurn). amqplib exposes no option for
   * this, so it is reached through its connection.
   */
  private wire(): Wire | undefined {
    const connection = (this.connection as unknown as { connection?: { stream?: unknown; muxer?: Muxer } } | null)
      ?.connection;
    return connection?.stream instanceof Writable ? { socket: connection.stream, muxer: connection.muxer } : undefined;
  }

  /** For good: a connection being opened meanwhile is closed as soon as it is there. */
  async close(): Promise<void> {
    this.closed = true;
    await this.opening?.catch(() => undefined);
    await this.reset();
  }

  /** The open channel, or the one being opened: concurrent callers share one connection attempt. */
  private ensureChannel(): Promise<ConfirmChannel> {
    if (this.closed) return Promise.reject(new Error('the publisher is closed'));
    if (this.channel) return Promise.resolve(this.channel);
    this.opening ??= this.open().finally(() => (this.opening = null));
    return this.opening;
  }

  private async open(): Promise<ConfirmChannel> {
    const pending = connect(this.settings.url, { timeout: this.settings.timeoutMs });
    let connection: ChannelModel;
    try {
      connection = await withTimeout(pending, this.settings.timeoutMs, 'broker connection');
    } catch (error) {
      // A connection that still arrives after we gave up on it must not linger.
      pending.then((late) => late.close().catch(() => undefined)).catch(() => undefined);
      throw error;
    }
    this.connection = connection;
    const wire = this.wire();
    if (wire) corkEachDrain(wire.socket);
    try {
      connection.on('error', (error: Error) => this.logger.warn(`broker connection error: ${error.message}`));
      connection.on('close', () => {
        this.connection = null;
        this.channel = null;
        this.connected.set(0);
      });
      const channel = await connection.createConfirmChannel();
      channel.on('error', (error: Error) => this.logger.warn(`broker channel error: ${error.message}`));
      channel.on('close', () => {
        this.channel = null;
        this.connected.set(0);
      });
      await channel.assertExchange(this.settings.exchange, 'topic', { durable: true });
      if (this.closed) throw new Error('the publisher is closed');
      this.channel = channel;
      this.connected.set(1);
      return channel;
    } catch (error) {
      await this.reset();
      throw error;
    }
  }

  private async reset(): Promise<void> {
    const connection = this.connection;
    this.connection = null;
    this.channel = null;
    this.connected.set(0);
    if (connection) await connection.close().catch(() => undefined);
  }
}

interface Muxer {
  _readIncoming?(): void;
}

interface Wire {
  readonly socket: Writable;
  readonly muxer?: Muxer;
}

/**
 * amqplib moves a channel's messages to the socket in an immediate, which
 * its channel buffer's 'readable' event (a tick after the first publish)
 * schedules: a whole turn of the event loop later, and under load a turn is
 * tens of milliseconds of other requests, most of the time from a cancel's
 * commit to its event at the broker (cancel-to-silence in `npm run bench`).
 * On the tick after that event its muxer is asked to move them at once, into
 * the corked socket, which is then uncorked: the batch leaves in one writev,
 * in this turn. Should amqplib's muxer change, the socket is uncorked right
 * behind its immediate instead. Either way it never stays corked.
 */
function sendInThisTurn({ socket, muxer }: Wire): void {
  const readIncoming = muxer?._readIncoming;
  if (typeof readIncoming !== 'function') {
    process.nextTick(() => setImmediate(() => socket.uncork()));
    return;
  }
  process.nextTick(() => {
    try {
      readIncoming.call(muxer);
    } finally {
      socket.uncork();
    }
  });
}

/**
 * Under load a batch outgrows the socket's buffer: the corked writes stop at
 * its high-water mark, and amqplib's muxer sends the rest when the socket
 * drains, with a write (a system call) for each message, uncorked
 * (docs/performance.md, "The publisher's writes"). Corked from just before the muxer's own handler until the next tick, what
 * it sends on a drain leaves in one writev as well.
 */
function corkEachDrain(socket: Writable): void {
  socket.prependListener('drain', () => {
    socket.cork();
    process.nextTick(() => socket.uncork());
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
