export * from './callback-transport';
export * from './notification-inbox.port';
export * from './notification.builder';
export * from './notification.dispatcher';
export * from './notifier.config';
