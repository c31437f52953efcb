import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NotificationSigner } from '@calls/auth';
import { NOTIFICATION_INBOX, NotificationInbox } from './notification-inbox.port';
import { NotificationDispatcher } from './notification.dispatcher';
import { NOTIFIER_SETTINGS, NotifierSettings } from './notifier.config';

/** Runs the dispatcher for the life of the process; on shutdown the round in flight finishes. */
@Injectable()
export class NotificationDispatcherHost implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly dispatcher: NotificationDispatcher;

  constructor(
    @Inject(NOTIFICATION_INBOX) readonly inbox: NotificationInbox,
    signer: NotificationSigner,
    @Inject(NOTIFIER_SETTINGS) settings: NotifierSettings,
  ) {
    this.dispatcher = new NotificationDispatcher(inbox, signer, settings);
  }

  onApplicationBootstrap(): void {
    this.dispatcher.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.stop();
  }
}
