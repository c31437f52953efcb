import './tracing';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { installGracefulShutdown } from '@calls/runtime';
import { createNotifier } from './bootstrap';

createNotifier()
  .then((app) => {
    installGracefulShutdown(app, Number(process.env.SHUTDOWN_GRACE_MS ?? 20_000));
    Logger.log('notifier consuming', 'Bootstrap');
  })
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
