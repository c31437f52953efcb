export * from './call.typeorm-repository';
export * from './database.config';
export * from './persistence.module';
export * from './sql/sql-builder';
export * from './outbox.typeorm-source';
export * from './notification-inbox.typeorm-store';
export * from './idempotency.typeorm-store';
