import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { COMMAND_RECEIPTS } from '@calls/application';
import { CALL_REPOSITORY } from '@calls/domain';
import { OUTBOX_SOURCE } from '@calls/messaging';
import { NOTIFICATION_INBOX } from '@calls/notifications';
import { NotificationInboxTypeormStore } from './notification-inbox.typeorm-store';
import { OutboxTypeormSource } from './outbox.typeorm-source';
import { CallTypeormRepository } from './call.typeorm-repository';
import { dataSourceOptions, DatabaseSettings, databaseSettingsFromEnv } from './database.config';

@Module({})
export class PersistenceModule {
  /**
   * The database and the CALL_REPOSITORY adapter. Settings are read when the
   * module initialises (forRootAsync), so tests can set the environment first.
   */
  static forRoot(settings: () => DatabaseSettings = () => databaseSettingsFromEnv()): DynamicModule {
    return {
      // Global: one data source for the whole process, whichever module needs a port.
      global: true,
      module: PersistenceModule,
      imports: [TypeOrmModule.forRootAsync({ useFactory: () => dataSourceOptions(settings()) })],
      providers: [
        CallTypeormRepository,
        // One adapter for both ports: a receipt is written in the call's save transaction.
        { provide: CALL_REPOSITORY, useExisting: CallTypeormRepository },
        { provide: COMMAND_RECEIPTS, useExisting: CallTypeormRepository },
        { provide: OUTBOX_SOURCE, useClass: OutboxTypeormSource },
        { provide: NOTIFICATION_INBOX, useClass: NotificationInboxTypeormStore },
      ],
      exports: [CALL_REPOSITORY, COMMAND_RECEIPTS, OUTBOX_SOURCE, NOTIFICATION_INBOX, TypeOrmModule],
    };
  }
}
