import { DynamicModule, Module } from '@nestjs/common';
import { NotificationSigner } from '@calls/auth';
import type { NotificationSigningSettings } from '@calls/auth';
import { InProcessNotifierBridge } from './in-process-notifier.bridge';
import { NotificationDispatcherHost } from './notification-dispatcher.host';
import { NOTIFIER_SETTINGS } from './notifier.config';
import type { NotifierSettings } from './notifier.config';

/** The service's notification signing key; both the service (JWKS) and the notifier use it. */
@Module({})
export class NotificationSigningModule {
  static forRoot(settings: NotificationSigningSettings): DynamicModule {
    return {
      // Global: the service's JWKS endpoint and the notifier's dispatcher sign and publish with the one key.
      global: true,
      module: NotificationSigningModule,
      providers: [{ provide: NotificationSigner, useFactory: () => NotificationSigner.from(settings) }],
      exports: [NotificationSigner],
    };
  }
}

/**
 * The notifier: its dispatcher over NOTIFICATION_INBOX (from the global
 * persistence module), signing with NotificationSigningModule's key. `inProcess` also feeds it from this
 * process's outbox relay (the embedded default, which has no broker; needs
 * MessagingModule). The notifier app feeds it from RabbitMQ instead.
 */
@Module({})
export class NotificationsModule {
  static forRoot(options: { inProcess: boolean; settings: NotifierSettings }): DynamicModule {
    return {
      module: NotificationsModule,
      providers: [
        { provide: NOTIFIER_SETTINGS, useValue: options.settings },
        NotificationDispatcherHost,
        ...(options.inProcess ? [InProcessNotifierBridge] : []),
      ],
      exports: [NotificationDispatcherHost],
    };
  }
}
