import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  acceptJsonBodiesOnly,
  graphClientErrorHandler,
  GraphErrorFilter,
  GraphValidationPipe,
  registerGraphRequestIds,
} from '@calls/graph';
import { AppModule } from './app.module';
import { instrumentCommandBus, registerHttpMetrics } from './metrics/http-metrics';
import { ServiceConfig, serviceConfigFromEnv } from './service.config';

/** The configured HTTP application, not yet listening: main and the e2e suites share it. */
export async function createApp(
  config: ServiceConfig = serviceConfigFromEnv(),
  options: { logger?: false } = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    routerOptions: { maxParamLength: 256 },
    clientErrorHandler: graphClientErrorHandler,
    // A client that trickles its request (slowloris) is cut off instead of holding a connection for ever.
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bodyParser: false,
    ...(options.logger === false ? { logger: false } : {}),
  });
  const fastify = app.getHttpAdapter().getInstance();
  registerGraphRequestIds(fastify);
  registerHttpMetrics(fastify);
  acceptJsonBodiesOnly(fastify, config.bodyLimitBytes);
  app.useGlobalFilters(new GraphErrorFilter());
  app.useGlobalPipes(new GraphValidationPipe());
  instrumentCommandBus(app);
  return app;
}
