import { DynamicModule, RequestMethod } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';

const REQUEST_ID = Symbol('requestId');

/**
 * The request id of a raw request, created on first use: the Graph
 * `request-id` header and every log line of the request carry the same one,
 * whichever of the two asks first.
 */
export function requestIdOf(raw: IncomingMessage): string {
  const holder = raw as IncomingMessage & { [REQUEST_ID]?: string };
  holder[REQUEST_ID] ??= randomUUID();
  return holder[REQUEST_ID];
}

let destination: DestinationStream | undefined;

/** Where log lines go instead of stdout; for tests that read them. */
export function setLogDestination(stream: DestinationStream | undefined): void {
  destination = stream;
}

/**
 * Structured JSON logs (pino): one line per event, with the request id, the
 * client-request-id and, once authenticated, tenant and app. Authorization,
 * cookies and idempotency keys are redacted; bodies are never logged.
 */
export function loggingModule(level = process.env.LOG_LEVEL || 'info'): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: [
      {
        level,
        genReqId: (req: IncomingMessage) => requestIdOf(req),
        customProps: (req: IncomingMessage) => ({
          clientRequestId: req.headers['client-request-id'],
        }),
        // Lean lines: what identifies the request, not its headers (cheaper, and nothing secret to leak).
        serializers: {
          req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
        redact: {
          paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["idempotency-key"]'],
          censor: '[redacted]',
        },
        autoLogging: {
          ignore: (req: IncomingMessage) => /^\/(health|metrics)/.test(req.url ?? ''),
        },
        customSuccessMessage: (req: IncomingMessage, res: ServerResponse) =>
          `${req.method} ${req.url} ${res.statusCode}`,
      },
      destination as DestinationStream,
    ],
    // Tenant and app, known once authenticated, also on the request's completion line.
    assignResponse: true,
    // Every route; Nest 12's path syntax (nestjs-pino's default `*` no longer matches).
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
  });
}
