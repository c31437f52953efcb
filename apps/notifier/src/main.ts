import './tracing';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { installGracefulShutdown } from '@calls/runtime';
import { loadConfig } from '@calls/config';
import { createNotifier } from './bootstrap';

Promise.resolve()
  .then(async () => {
    const config = loadConfig();
    installGracefulShutdown(await createNotifier({ config }), config.http.shutdownGraceMs);
    Logger.log('notifier consuming', 'Bootstrap');
  })
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
