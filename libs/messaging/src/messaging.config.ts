export interface MessagingSettings {
  /** RabbitMQ; without it events go to in-process subscribers only. */
  readonly amqpUrl?: string;
  readonly exchange: string;
  readonly brokerTimeoutMs: number;
  readonly outboxBatchSize: number;
  readonly outboxPollMs: number;
  readonly outboxRetentionHours: number;
  /** Run the relay in this process; off for replicas that only serve requests (another runs the relay). */
  readonly relayEnabled: boolean;
}

export const MESSAGING_SETTINGS = Symbol('MESSAGING_SETTINGS');

export function messagingSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): MessagingSettings {
  return {
    amqpUrl: env.AMQP_URL || undefined,
    exchange: env.AMQP_EXCHANGE || 'calls.events',
    brokerTimeoutMs: Number(env.BROKER_TIMEOUT_MS ?? 5000),
    outboxBatchSize: Number(env.OUTBOX_BATCH_SIZE ?? 100),
    outboxPollMs: Number(env.OUTBOX_POLL_MS ?? 500),
    outboxRetentionHours: Number(env.OUTBOX_RETENTION_HOURS ?? 24),
    relayEnabled: (env.OUTBOX_RELAY ?? 'on') !== 'off',
  };
}
