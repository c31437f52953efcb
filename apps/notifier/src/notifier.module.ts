import { DynamicModule, Module } from '@nestjs/common';
import { MESSAGING_SETTINGS, MessagingSettings } from '@calls/messaging';
import { NotificationsModule } from '@calls/notifications';
import { PersistenceModule } from '@calls/persistence';
import { LoggingModule } from '@calls/runtime';
import { NOTIFIER_QUEUE, NotifierConsumerHost } from './notifier-consumer.host';
import { OpsServerHost } from './ops-server.host';

/** The notifier app: broker -> inbox -> Graph commsNotifications POSTed to each call's callbackUri. */
@Module({})
export class NotifierModule {
  static forRoot(messaging: MessagingSettings, queue: string): DynamicModule {
    return {
      module: NotifierModule,
      imports: [
        LoggingModule.forRoot(),
        PersistenceModule.forRoot(),
        NotificationsModule.forRoot({ inProcess: false }),
      ],
      providers: [
        { provide: MESSAGING_SETTINGS, useValue: messaging },
        { provide: NOTIFIER_QUEUE, useValue: queue },
        NotifierConsumerHost,
        OpsServerHost,
      ],
    };
  }
}
