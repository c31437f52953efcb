export * from './call.typeorm-repository';
export * from './database.config';
export * from './entities/call.entity';
export * from './entities/media-operation.entity';
export * from './entities/outbox.entity';
export * from './persistence.module';
