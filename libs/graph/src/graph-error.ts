import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError } from '@calls/domain';
import { IdempotencyKeyReusedError } from '@calls/application';

/** Graph's error codes, by the status they travel with unless a thrower says otherwise. */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'invalidRequest',
  401: 'InvalidAuthenticationToken',
  403: 'accessDenied',
  404: 'itemNotFound',
  405: 'notSupported',
  406: 'notSupported',
  409: 'notAllowed',
  411: 'invalidRequest',
  413: 'requestTooLarge',
  415: 'unsupportedMediaType',
  422: 'unprocessableEntity',
  429: 'activityLimitReached',
  431: 'requestTooLarge',
  503: 'serviceNotAvailable',
};

/** An error that already knows its Graph code; throw it from any layer outside the domain. */
export class GraphHttpError extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message, status);
  }
}

export interface GraphError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly headers: Record<string, string>;
  /** True when nothing the client did explains it: log it with its stack. */
  readonly unexpected: boolean;
}

const DOMAIN_STATUS: Record<DomainError['reason'], { status: number; code: string }> = {
  notFound: { status: 404, code: 'itemNotFound' },
  notAllowed: { status: 409, code: 'notAllowed' },
  conflict: { status: 409, code: 'resourceModified' },
  invalid: { status: 400, code: 'invalidRequest' },
};

/** Network and PostgreSQL/SQLite codes that mean "the database is not there right now", not a bug. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '57014', // query_canceled: our statement timeout
  '53300', // too_many_connections
  '08000',
  '08001',
  '08003',
  '08004',
  '08006', // connection exceptions
  'SQLITE_BUSY',
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED/;

/** Seconds a client should wait before retrying while a dependency is down. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** True when the error says a dependency (the database) is unreachable or overloaded: a 503, not a 500. */
export function isUnavailable(exception: unknown): boolean {
  const error = exception as {
    code?: unknown;
    driverError?: { code?: unknown; message?: unknown };
    message?: unknown;
  } | null;
  const codes = [error?.code, error?.driverError?.code].filter((code): code is string => typeof code === 'string');
  if (codes.some((code) => UNAVAILABLE_CODES.has(code))) return true;
  const messages = [error?.message, error?.driverError?.message].filter((m): m is string => typeof m === 'string');
  return messages.some((message) => UNAVAILABLE_MESSAGES.test(message));
}

/** Messages clearer than the framework's for errors a client meets often. */
const MESSAGE_BY_STATUS: Record<number, string> = {
  413: 'The request body is too large.',
  415: 'The request body must be JSON (Content-Type: application/json).',
};

function statusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function messageOf(exception: unknown): string {
  if (!(exception instanceof HttpException)) return (exception as Error).message;
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/**
 * Any thrown value as a Graph error: domain errors by their reason, an
 * Idempotency-Key reused for another request as 422, Nest's HTTP exceptions
 * and Fastify's own errors (bad JSON, body too large, wrong content type) by
 * their status; everything else is a real fault, a 500.
 */
export function toGraphError(exception: unknown): GraphError {
  if (exception instanceof IdempotencyKeyReusedError) {
    return { status: 422, code: 'unprocessableEntity', message: exception.message, headers: {}, unexpected: false };
  }
  if (exception instanceof GraphHttpError) {
    return {
      status: exception.getStatus(),
      code: exception.code,
      message: exception.message,
      headers: exception.headers,
      unexpected: false,
    };
  }
  if (exception instanceof DomainError) {
    const { status, code } = DOMAIN_STATUS[exception.reason];
    return { status, code, message: exception.message, headers: {}, unexpected: false };
  }
  if (isUnavailable(exception)) {
    return {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      code: 'serviceNotAvailable',
      message: 'The service is temporarily unavailable (its database cannot be reached). Retry later.',
      headers: { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
      unexpected: false,
    };
  }
  const status = statusOf(exception);
  if (status !== undefined && status >= 400 && status < 500) {
    return {
      status,
      code: CODE_BY_STATUS[status] ?? 'invalidRequest',
      message: MESSAGE_BY_STATUS[status] ?? messageOf(exception),
      headers: {},
      unexpected: false,
    };
  }
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    code: 'generalException',
    message: 'An unexpected error occurred.',
    headers: {},
    unexpected: true,
  };
}

/** Graph's error body; innerError ties the answer to the request in logs. */
export function graphErrorBody(error: GraphError, requestId: string, clientRequestId: string): Record<string, unknown> {
  return {
    error: {
      code: error.code,
      message: error.message,
      innerError: {
        'request-id': requestId,
        'client-request-id': clientRequestId,
        date: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
      },
    },
  };
}
