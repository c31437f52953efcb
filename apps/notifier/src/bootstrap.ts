import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfig } from '@calls/config';
import type { Config } from '@calls/config';
import { NotifierModule } from './notifier.module';

/** The notifier process, configured from the environment; main and the tests share it. */
export async function createNotifier(
  options: { logger?: false; config?: Config } = {},
): Promise<INestApplicationContext> {
  const config = options.config ?? loadConfig();
  if (!config.messaging.amqpUrl) {
    throw new Error(
      'The notifier app consumes from RabbitMQ: set AMQP_URL. (Without a broker, calls-service notifies bots itself.)',
    );
  }
  const app = await NestFactory.createApplicationContext(
    NotifierModule.forRoot(config),
    options.logger === false ? { logger: false } : { bufferLogs: true },
  );
  // The same JSON lines as the service's, at LOG_LEVEL.
  if (options.logger !== false) app.useLogger(app.get(Logger));
  return app;
}
