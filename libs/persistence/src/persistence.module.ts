import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IDEMPOTENCY_SETTINGS, IDEMPOTENCY_STORE, idempotencySettingsFromEnv } from '@calls/application';
import { CALL_REPOSITORY } from '@calls/domain';
import { IdempotencyTypeormStore } from './idempotency.typeorm-store';
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
        { provide: CALL_REPOSITORY, useClass: CallTypeormRepository },
        { provide: OUTBOX_SOURCE, useClass: OutboxTypeormSource },
        { provide: NOTIFICATION_INBOX, useClass: NotificationInboxTypeormStore },
        { provide: IDEMPOTENCY_SETTINGS, useFactory: () => idempotencySettingsFromEnv() },
        { provide: IDEMPOTENCY_STORE, useClass: IdempotencyTypeormStore },
      ],
      exports: [CALL_REPOSITORY, OUTBOX_SOURCE, NOTIFICATION_INBOX, IDEMPOTENCY_STORE, TypeOrmModule],
    };
  }
}
