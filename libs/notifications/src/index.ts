export * from './callback-transport';
export * from './notification-inbox.port';
export * from './notification.builder';
export * from './notification.dispatcher';
export * from './notifier.config';
export * from './in-process-notifier.bridge';
export * from './notification-dispatcher.host';
export * from './notifications.module';
