import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ALL_CALLS_V1_TYPES, MESSAGING_SETTINGS, MessagingSettings, RabbitMqConsumer } from '@calls/messaging';
import { NotificationDispatcherHost } from '@calls/notifications';

export const NOTIFIER_QUEUE = Symbol('NOTIFIER_QUEUE');

/** Feeds the notifier's inbox from the broker; a message is acknowledged once the inbox holds it. */
@Injectable()
export class NotifierConsumerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly consumer: RabbitMqConsumer;

  constructor(
    @Inject(MESSAGING_SETTINGS) settings: MessagingSettings,
    @Inject(NOTIFIER_QUEUE) queue: string,
    host: NotificationDispatcherHost,
  ) {
    this.consumer = new RabbitMqConsumer(
      {
        url: settings.amqpUrl!,
        exchange: settings.exchange,
        queue,
        bindingKeys: ALL_CALLS_V1_TYPES,
        prefetch: 100,
      },
      async (event) => {
        await host.inbox.accept([event]);
        host.dispatcher.wake();
      },
    );
  }

  /** Its queue is bound: events published from now on reach this notifier (readiness). */
  get queueBound(): boolean {
    return this.consumer.bound;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
