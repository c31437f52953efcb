import { DynamicModule, Module } from '@nestjs/common';
import { NotificationSigner, notificationSigningFromEnv } from '@calls/auth';
import { InProcessNotifierBridge } from './in-process-notifier.bridge';
import { NotificationDispatcherHost } from './notification-dispatcher.host';
import { NOTIFIER_SETTINGS, notifierSettingsFromEnv } from './notifier.config';

/** The service's notification signing key; both the service (JWKS) and the notifier use it. */
@Module({
  providers: [{ provide: NotificationSigner, useFactory: () => NotificationSigner.from(notificationSigningFromEnv()) }],
  exports: [NotificationSigner],
})
export class NotificationSigningModule {}

/**
 * The notifier: its signer and its dispatcher over NOTIFICATION_INBOX (from
 * the global persistence module). `inProcess` also feeds it from this
 * process's outbox relay (the embedded default, which has no broker; needs
 * MessagingModule). The notifier app feeds it from RabbitMQ instead.
 */
@Module({})
export class NotificationsModule {
  static forRoot(options: { inProcess: boolean }): DynamicModule {
    return {
      module: NotificationsModule,
      imports: [NotificationSigningModule],
      providers: [
        { provide: NOTIFIER_SETTINGS, useFactory: () => notifierSettingsFromEnv() },
        NotificationDispatcherHost,
        ...(options.inProcess ? [InProcessNotifierBridge] : []),
      ],
      exports: [NotificationDispatcherHost],
    };
  }
}
