export * from './call.typeorm-repository';
export * from './database.config';
export * from './persistence.module';
export * from './schema/sql-builder';
export * from './outbox.typeorm-source';
export * from './notification-inbox.typeorm-store';
export * from './schema/dialect';
export * from './schema/tables';
