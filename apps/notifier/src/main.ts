import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createNotifier } from './bootstrap';

createNotifier()
  .then(() => Logger.log('notifier consuming', 'Bootstrap'))
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
