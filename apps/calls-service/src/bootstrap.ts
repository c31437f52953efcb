import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { registerRequestContext, registerRequestLogging, REQUEST_LOGGER, requestIdOf } from '@calls/runtime';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  acceptJsonBodiesOnly,
  graphClientErrorHandler,
  graphFrameworkErrorHandler,
  registerAllowedMethods,
  GraphErrorFilter,
  GraphValidationPipe,
  registerGraphRequestIds,
  registerPublicBase,
} from '@calls/graph';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { registerLoadShedding } from './overload/load-shedding';
import { ADMISSION, CALL_TURNS } from './overload/admission.guard';
import { registerHttpMetrics } from './metrics/http-metrics';
import { registerReplayedHeader } from './idempotency/idempotency.hook';
import { loadConfig } from '@calls/config';
import type { Config } from '@calls/config';

/** The configured HTTP application, not yet listening: main and the e2e suites share it. */
export async function createApp(
  config: Config = loadConfig(),
  options: { logger?: false } = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    routerOptions: { maxParamLength: 256 },
    clientErrorHandler: graphClientErrorHandler,
    frameworkErrors: graphFrameworkErrorHandler,
    // Fastify's request id is the Graph request-id, so the logs and the response name the same request.
    genReqId: (raw: IncomingMessage) => requestIdOf(raw),
    // A client that trickles its request (slowloris) is cut off instead of holding a connection for ever.
    requestTimeout: config.http.requestTimeoutMs,
    connectionTimeout: config.http.requestTimeoutMs,
    // Fastify takes a hop count too; Nest's adapter options type leaves the number out.
    trustProxy: config.http.trustProxy as boolean | string,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bodyParser: false,
    ...(options.logger === false ? { logger: false } : { bufferLogs: true }),
  });
  // Nest's own lines (bootstrap, warnings, errors) in the same JSON format as request logs.
  if (options.logger !== false) app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  // First: every line a later hook, the handler or the layers below it write names the request.
  await registerRequestContext(fastify);
  registerGraphRequestIds(fastify);
  registerAllowedMethods(fastify);
  registerPublicBase(fastify, config.http.publicBaseUrl);
  registerHttpMetrics(fastify);
  const logger = app.get<PinoLogger>(REQUEST_LOGGER);
  registerRequestLogging(fastify, logger);
  registerReplayedHeader(fastify);
  acceptJsonBodiesOnly(fastify, config.http.bodyLimitBytes);
  // After the request ids (its refusals carry them), before authentication and any database work.
  const dataSource = app.get(DataSource);
  await registerLoadShedding(fastify, config.http.shedding, () => dataSource.query('SELECT 1'), {
    admission: app.get(ADMISSION),
    turns: app.get(CALL_TURNS),
  });
  app.useGlobalFilters(new GraphErrorFilter(logger, config.http.drainLimitBytes));
  app.useGlobalPipes(new GraphValidationPipe());
  serveOpenApi(app);
  return app;
}

/** The OpenAPI 3 document of the HTTP API, built from the controllers, at /openapi.json. */
function serveOpenApi(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('calls-service')
      .setDescription(
        'Microsoft Graph cloud-communications call media control. Every calls route is also served under /app/calls and the /v1.0 and /beta prefixes.',
      )
      .setVersion('1.0')
      .addBearerAuth()
      .build(),
  );
  app
    .getHttpAdapter()
    .getInstance()
    .get('/openapi.json', (_request, reply) => {
      void reply.send(document);
    });
}
