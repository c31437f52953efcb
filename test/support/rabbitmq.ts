import { connect, ChannelModel, ConsumeMessage } from 'amqplib';
import { randomBytes } from 'node:crypto';

export const AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** An exchange name of this run alone. */
export const privateExchange = (purpose: string) =>
  `calls.test.${purpose}.${process.pid}.${randomBytes(3).toString('hex')}`;

/** Collects every message a topic exchange routes, through an exclusive queue of this run. */
export class ExchangeRecorder {
  readonly messages: ConsumeMessage[] = [];
  /** When each message arrived (Date.now()), by index in `messages`. */
  readonly receivedAt: number[] = [];
  private connection: ChannelModel | null = null;

  constructor(
    private readonly exchange: string,
    private readonly bindingKey = '#',
  ) {}

  async start(): Promise<void> {
    this.connection = await connect(AMQP_URL);
    const channel = await this.connection.createChannel();
    await channel.assertExchange(this.exchange, 'topic', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, this.exchange, this.bindingKey);
    await channel.consume(
      queue,
      (message) => {
        if (!message) return;
        this.messages.push(message);
        this.receivedAt.push(Date.now());
      },
      { noAck: true },
    );
  }

  bodies<T = Record<string, unknown>>(): T[] {
    return this.messages.map((message) => JSON.parse(message.content.toString()) as T);
  }

  async stop(): Promise<void> {
    const channel = await this.connection?.createChannel();
    await channel?.deleteExchange(this.exchange).catch(() => undefined);
    await this.connection?.close();
  }
}

/** Removes what a suite declared on the broker, so runs leave nothing behind. */
export async function deleteQueueAndExchange(queue: string, exchange: string): Promise<void> {
  const connection = await connect(AMQP_URL);
  const channel = await connection.createChannel();
  await channel.deleteQueue(queue).catch(() => undefined);
  await channel.deleteExchange(exchange).catch(() => undefined);
  await connection.close();
}
