import './tracing';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap';
import { serviceConfigFromEnv } from './service.config';
import { installGracefulShutdown } from '@calls/runtime';

async function main(): Promise<void> {
  const config = serviceConfigFromEnv();
  const app = await createApp(config);
  installGracefulShutdown(app, config.shutdownGraceMs);
  await app.listen(config.port, config.host);
  Logger.log(`calls-service listening on ${await app.getUrl()}`, 'Bootstrap');
}

main().catch((error: unknown) => {
  // A configuration mistake should read as one line, not a stack of framework frames.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
