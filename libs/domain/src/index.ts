export * from './call/call.aggregate';
export * from './call/call.events';
export * from './call/call.repository.port';
export * from './call/call.values';
export * from './call/media-operation';
export * from './errors/domain.errors';
