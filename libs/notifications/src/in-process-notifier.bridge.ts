import { Injectable, OnModuleInit } from '@nestjs/common';
import { InProcessPublisher } from '@calls/messaging';
import { NotificationDispatcherHost } from './notification-dispatcher.host';

/**
 * The embedded default has no broker: the outbox relay hands each batch
 * straight to the notifier's inbox, and a row counts as published once the
 * inbox holds it, so a restart loses nothing.
 */
@Injectable()
export class InProcessNotifierBridge implements OnModuleInit {
  constructor(
    private readonly publisher: InProcessPublisher,
    private readonly host: NotificationDispatcherHost,
  ) {}

  onModuleInit(): void {
    this.publisher.subscribe(async (events) => {
      await this.host.inbox.accept(events);
      this.host.dispatcher.wake();
    });
  }
}
