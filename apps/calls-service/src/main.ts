import './tracing';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap';
import { loadConfig } from '@calls/config';
import { installGracefulShutdown } from '@calls/runtime';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  installGracefulShutdown(app, config.http.shutdownGraceMs);
  await app.listen(config.http.port, config.http.host);
  Logger.log(`calls-service listening on ${await app.getUrl()}`, 'Bootstrap');
}

main().catch((error: unknown) => {
  // A configuration mistake should read as one line, not a stack of framework frames.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
