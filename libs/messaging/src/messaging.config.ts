export interface MessagingSettings {
  /** RabbitMQ; without it events go to in-process subscribers only. */
  readonly amqpUrl?: string;
  readonly exchange: string;
  readonly brokerTimeoutMs: number;
  readonly outboxBatchSize: number;
  readonly outboxPollMs: number;
  /** How long a woken relay waits for more events before it claims a batch. */
  readonly outboxLingerMs: number;
  readonly outboxRetentionHours: number;
  /** Run the relay in this process; off for replicas that only serve requests (another runs the relay). */
  readonly relayEnabled: boolean;
}

export const MESSAGING_SETTINGS = Symbol('MESSAGING_SETTINGS');
