import { DynamicModule, Module } from '@nestjs/common';
import { ConfigTreeModule } from '@calls/config';
import type { Config } from '@calls/config';
import { MESSAGING_SETTINGS } from '@calls/messaging';
import { NotificationSigningModule, NotificationsModule } from '@calls/notifications';
import { PersistenceModule } from '@calls/persistence';
import { LoggingModule } from '@calls/runtime';
import { NOTIFIER_QUEUE, NotifierConsumerHost } from './notifier-consumer.host';
import { OpsServerHost } from './ops-server.host';

/** The notifier app: broker -> inbox -> Graph commsNotifications POSTed to each call's callbackUri. */
@Module({})
export class NotifierModule {
  static forRoot(config: Config): DynamicModule {
    return {
      module: NotifierModule,
      imports: [
        ConfigTreeModule.forRoot(config),
        LoggingModule.forRoot(config.logLevel),
        PersistenceModule.forRoot(config.database),
        NotificationSigningModule.forRoot(config.notificationSigning),
        NotificationsModule.forRoot({ inProcess: false, settings: config.notifier }),
      ],
      providers: [
        { provide: MESSAGING_SETTINGS, useValue: config.messaging },
        { provide: NOTIFIER_QUEUE, useValue: config.notifier.queue },
        NotifierConsumerHost,
        OpsServerHost,
      ],
    };
  }
}
