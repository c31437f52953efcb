import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { COMMAND_RECEIPTS } from '@calls/application';
import { CALL_REPOSITORY } from '@calls/domain';
import { OUTBOX_SOURCE } from '@calls/messaging';
import { NOTIFICATION_INBOX } from '@calls/notifications';
import { NotificationInboxTypeormStore } from './notification-inbox.typeorm-store';
import { OutboxTypeormSource } from './outbox.typeorm-source';
import { CallTypeormRepository } from './call.typeorm-repository';
import { dataSourceOptions, DatabaseSettings } from './database.config';
import { SchemaVersionCheck } from './schema/schema-version.check';

@Module({})
export class PersistenceModule {
  /** The database (the `database` section of the configuration) and the adapters of the ports on it. */
  static forRoot(settings: DatabaseSettings): DynamicModule {
    return {
      // Global: one data source for the whole process, whichever module needs a port.
      global: true,
      module: PersistenceModule,
      imports: [TypeOrmModule.forRootAsync({ useFactory: () => dataSourceOptions(settings) })],
      providers: [
        SchemaVersionCheck,
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
