import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { messagingSettingsFromEnv } from '@calls/messaging';
import { validateEnvironment } from '@calls/runtime';
import { NotifierModule } from './notifier.module';

/** The notifier process, configured from the environment; main and the tests share it. */
export async function createNotifier(options: { logger?: false } = {}): Promise<INestApplicationContext> {
  validateEnvironment(process.env);
  const messaging = messagingSettingsFromEnv();
  if (!messaging.amqpUrl) {
    throw new Error(
      'The notifier app consumes from RabbitMQ: set AMQP_URL. (Without a broker, calls-service notifies bots itself.)',
    );
  }
  const queue = process.env.NOTIFIER_QUEUE || 'calls.notifier';
  const app = await NestFactory.createApplicationContext(
    NotifierModule.forRoot(messaging, queue),
    options.logger === false ? { logger: false } : { bufferLogs: true },
  );
  // The same JSON lines as the service's, at LOG_LEVEL.
  if (options.logger !== false) app.useLogger(app.get(Logger));
  return app;
}
