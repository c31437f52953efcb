import type { LoadSheddingSettings } from './overload/load-shedding';
import { validateEnvironment } from '@calls/runtime';

export interface ServiceConfig {
  readonly port: number;
  readonly host: string;
  readonly bodyLimitBytes: number;
  /**
   * How much of a body over the limit is read and discarded after the 413, so
   * a client still sending can read it; past this the connection is cut.
   */
  readonly drainLimitBytes: number;
  readonly simulatedConnectMs: number;
  readonly simulatedPromptMs: number;
  /** Longest a graceful shutdown may take before the process exits anyway (keep it under terminationGracePeriodSeconds). */
  readonly shutdownGraceMs: number;
  /** Longest time to receive a whole request. */
  readonly requestTimeoutMs: number;
  /** Scheme, host (and path) clients reach the service at, for the absolute URLs it writes. */
  readonly publicBaseUrl: string | undefined;
  /** When to refuse new requests with a fast 503 rather than queue them (see load-shedding.ts). */
  readonly shedding: LoadSheddingSettings;
  /** Fastify's trustProxy: whether (or from which hops) X-Forwarded-* headers are believed. */
  readonly trustProxy: boolean | number | string;
}

/** TRUST_PROXY as Fastify takes it: true/false, a hop count, or addresses and CIDRs separated by commas. */
function trustProxy(raw: string | undefined): boolean | number | string {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number >= ${min}, got '${raw}'.`);
  return value;
}

/**
 * The service's own settings, after the whole environment was checked
 * against its schema. In production it refuses to start on the embedded
 * defaults that exist only for development: the local token issuer and the
 * SQLite file (the schema requires DATABASE_URL and AUTH_* there).
 */
export function serviceConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  validateEnvironment(env);
  return {
    port: number(env, 'PORT', 3000),
    host: env.HOST || '0.0.0.0',
    bodyLimitBytes: number(env, 'BODY_LIMIT_BYTES', 64 * 1024, 1024),
    drainLimitBytes: number(env, 'BODY_DRAIN_LIMIT_BYTES', 16 * 1024 * 1024, 0),
    simulatedConnectMs: number(env, 'SIMULATED_CONNECT_MS', 0),
    simulatedPromptMs: number(env, 'SIMULATED_PROMPT_MS', 3000),
    shutdownGraceMs: number(env, 'SHUTDOWN_GRACE_MS', 20_000),
    requestTimeoutMs: number(env, 'REQUEST_TIMEOUT_MS', 10_000, 100),
    shedding: {
      maxEventLoopDelayMs: number(env, 'SHED_EVENT_LOOP_DELAY_MS', 200),
      maxDatabaseWaitMs: number(env, 'SHED_DATABASE_WAIT_MS', 1000),
      maxInFlight: number(env, 'SHED_MAX_IN_FLIGHT', 0),
      sampleIntervalMs: number(env, 'SHED_SAMPLE_INTERVAL_MS', 500, 10),
      retryAfterSeconds: 1,
    },
    publicBaseUrl: env.PUBLIC_BASE_URL || undefined,
    trustProxy: trustProxy(env.TRUST_PROXY),
  };
}
