import { resolve } from 'node:path';
import { DEFAULT_KEEPALIVE_TIMEOUT_MS } from '@calls/domain';
import type { CallLifetimeSettings, IdempotencySettings } from '@calls/application';
import type { AuthSettings, NotificationSigningSettings } from '@calls/auth';
import type { MessagingSettings } from '@calls/messaging';
import type { NotifierSettings } from '@calls/notifications';
import type { DatabaseSettings } from '@calls/persistence';
import { Environment, validateEnvironment } from './environment.schema';
import { tracingSettings } from './tracing.settings';
import type { TracingSettings } from './tracing.settings';

/** When to refuse new requests with a fast 503 rather than queue them (see apps/calls-service/src/overload). */
export interface LoadSheddingSettings {
  /** Shed while the event loop runs this late on average (ms); 0 turns the check off. */
  readonly maxEventLoopDelayMs: number;
  /** Shed while getting a database connection and a trivial answer takes longer than this (ms); 0: off. */
  readonly maxDatabaseWaitMs: number;
  /** Admission by queueing delay with priorities (apps/calls-service/src/overload/admission.ts); null: off. */
  readonly admission: AdmissionSettings | null;
  /** Commands on one call that may wait on a replica while one runs; more get 429 (0: no per-call line). */
  readonly maxWaitingPerCall: number;
  /** How often both are measured (ms). */
  readonly sampleIntervalMs: number;
  /** What a shed request is told to wait (s). */
  readonly retryAfterSeconds: number;
}

export interface AdmissionSettings {
  /** Requests in flight at first, and the bounds the adaptive limit moves within. */
  readonly initialLimit: number;
  readonly minLimit: number;
  readonly maxLimit: number;
  /** Requests waiting for a place at most; more are refused at once. */
  readonly maxQueue: number;
  /** Longest an ordinary request may wait from its arrival before it is refused (ms). */
  readonly queueBudgetMs: number;
  /** The same once the queue has overflowed, until it has refused nobody for a second (ms). */
  readonly overloadQueueBudgetMs: number;
  /** The same for cancelMediaProcessing and hang-up, which are admitted first (ms). */
  readonly criticalQueueBudgetMs: number;
}

/** The HTTP server of the service (and the notifier's ops server, which uses port, host and grace). */
export interface HttpSettings {
  readonly port: number;
  readonly host: string;
  readonly bodyLimitBytes: number;
  /** How much of a body over the limit is read and discarded after the 413, so a client still sending reads it. */
  readonly drainLimitBytes: number;
  /** Longest time to receive a whole request. */
  readonly requestTimeoutMs: number;
  /** Longest a graceful shutdown may take before the process exits anyway (keep it under terminationGracePeriodSeconds). */
  readonly shutdownGraceMs: number;
  /** Scheme, host (and path) clients reach the service at, for the absolute URLs it writes. */
  readonly publicBaseUrl: string | undefined;
  /** Fastify's trustProxy: whether (or from which hops) X-Forwarded-* headers are believed. */
  readonly trustProxy: boolean | number | string;
  readonly shedding: LoadSheddingSettings;
}

export interface ThrottlingSettings {
  /** Requests allowed per application per tenant in each window. */
  readonly limit: number;
  readonly windowMs: number;
  /** Shared counters across replicas; in memory (per replica) without it. */
  readonly redisUrl?: string;
}

/**
 * Graph's own limit for the calls API: 50,000 requests per 15 seconds per
 * application per tenant (https://learn.microsoft.com/en-us/graph/throttling-limits,
 * "Cloud communication service limits").
 */
export const GRAPH_CALLS_THROTTLE = { limit: 50_000, windowMs: 15_000 } as const;

export interface MediaPlaneSettings {
  /** `simulated` (in process, the default) or `broker` (a separate media plane over RabbitMQ). */
  readonly mode: 'simulated' | 'broker';
  /** Exchange the media plane reports to, and this service's queue on it. */
  readonly reportsExchange: string;
  readonly reportsQueue: string;
  /** The media simulator's own queue of calls.v1 events (apps/media-simulator). */
  readonly simulatorQueue: string;
  /**
   * How long the simulated media plane takes to connect a call and to play a
   * prompt; whether its caller speaks into recordings; how long its
   * recordings are kept.
   */
  readonly simulated: {
    readonly connectMs: number;
    readonly promptMs: number;
    readonly caller: 'speaks' | 'silent';
    readonly recordingTtlSeconds: number;
  };
}

/** The media gateway (apps/media-gateway): rtpengine's controller and the edge's API. */
export interface MediaGatewaySettings {
  /** Its queue of calls.v1 events. */
  readonly queue: string;
  /** rtpengine's ng control address (host:port), spoken over TCP. */
  readonly rtpengineNg: string;
  /** rtpengine's HTTP listener (host:port), where commands with a prompt file go (ng over HTTP, `/ng`). */
  readonly rtpengineHttp: string;
  /** The edge API's port, and the absolute base of the URLs it hands out. */
  readonly port: number;
  readonly publicUrl: string;
  /** The bearer token the SIP edge presents; unset, the edge API refuses everything. */
  readonly edgeToken: string | undefined;
  /** The address of the gateway's own RTP sockets, as rtpengine reaches them. */
  readonly rtpAddress: string;
  /** Bounds on fetching a prompt: its size and the whole fetch's time. */
  readonly promptMaxBytes: number;
  readonly promptTimeoutMs: number;
  /** A media leg that receives no RTP for this long is reported disconnected, and the call ends. */
  readonly mediaTimeoutSeconds: number;
  /** How long a recording (and its access token) is kept for the bot to download. */
  readonly recordingTtlSeconds: number;
  /** Where recordings are kept (PostgreSQL, DATABASE_URL); in the process's memory without it. */
  readonly databaseUrl: string | undefined;
}

/**
 * Every setting of the four processes (the service, the notifier, the media
 * simulator, the media gateway), as one typed tree. `loadConfig` builds it once at start from
 * the environment, after checking every variable against `Environment`; the
 * apps hand each module its section. Nothing else reads `process.env` (a lint
 * rule enforces it).
 */
export interface Config {
  readonly production: boolean;
  readonly logLevel: string;
  readonly http: HttpSettings;
  readonly database: DatabaseSettings;
  readonly auth: AuthSettings;
  readonly notificationSigning: NotificationSigningSettings;
  readonly messaging: MessagingSettings;
  readonly mediaPlane: MediaPlaneSettings;
  readonly mediaGateway: MediaGatewaySettings;
  readonly throttling: ThrottlingSettings;
  readonly callLifetime: CallLifetimeSettings;
  readonly idempotency: IdempotencySettings;
  readonly notifier: NotifierSettings & { readonly queue: string };
  readonly tracing: TracingSettings;
}

type Env = Record<string, string | undefined>;

/** TRUST_PROXY as Fastify takes it: true/false, a hop count, or addresses and CIDRs separated by commas. */
function trustProxy(raw: string | undefined): boolean | number | string {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

/** host:port with the port one up: rtpengine's HTTP listener beside its ng port, by default. */
function nextPort(address: string): string {
  const colon = address.lastIndexOf(':');
  return `${address.slice(0, colon)}:${Number(address.slice(colon + 1)) + 1}`;
}

const DEV_ISSUER = 'calls-service-dev-issuer';
const DEFAULT_AUDIENCE = 'https://graph.microsoft.com';

/**
 * The configuration of this process: the environment checked once (an error
 * names every wrong or missing variable, and never repeats a secret), then
 * read into typed values with their defaults. An empty variable counts as
 * not set.
 */
export function loadConfig(source: Env = process.env): Config {
  validateEnvironment(source);
  const set = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const env = Environment.from(set);
  const production = env.NODE_ENV === 'production';
  const mediaPlaneMode = (env.MEDIA_PLANE ?? 'simulated') as MediaPlaneSettings['mode'];
  if (mediaPlaneMode === 'broker' && !env.AMQP_URL) throw new Error('MEDIA_PLANE=broker needs AMQP_URL.');
  const jwksUri = env.AUTH_JWKS_URI;
  const issuers = (env.AUTH_ISSUER ?? '')
    .split(',')
    .map((issuer) => issuer.trim())
    .filter(Boolean);
  const dataDir = env.DATA_DIR ?? './data';
  return {
    production,
    logLevel: env.LOG_LEVEL ?? 'info',
    http: {
      port: env.PORT ?? 3000,
      host: env.HOST ?? '0.0.0.0',
      bodyLimitBytes: env.BODY_LIMIT_BYTES ?? 64 * 1024,
      drainLimitBytes: env.BODY_DRAIN_LIMIT_BYTES ?? 16 * 1024 * 1024,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS ?? 10_000,
      shutdownGraceMs: env.SHUTDOWN_GRACE_MS ?? 20_000,
      publicBaseUrl: env.PUBLIC_BASE_URL,
      trustProxy: trustProxy(env.TRUST_PROXY),
      shedding: {
        maxEventLoopDelayMs: env.SHED_EVENT_LOOP_DELAY_MS ?? 200,
        maxDatabaseWaitMs: env.SHED_DATABASE_WAIT_MS ?? 1000,
        admission:
          env.SHED_ADMISSION === 'off'
            ? null
            : {
                initialLimit: Math.min(20, env.SHED_MAX_IN_FLIGHT ?? 200),
                minLimit: Math.min(4, env.SHED_MAX_IN_FLIGHT ?? 200),
                maxLimit: env.SHED_MAX_IN_FLIGHT ?? 200,
                maxQueue: env.SHED_MAX_QUEUE ?? 50,
                queueBudgetMs: env.SHED_QUEUE_BUDGET_MS ?? 250,
                overloadQueueBudgetMs: env.SHED_OVERLOAD_QUEUE_BUDGET_MS ?? 10,
                criticalQueueBudgetMs: env.SHED_CRITICAL_QUEUE_BUDGET_MS ?? 500,
              },
        maxWaitingPerCall: env.SHED_CALL_QUEUE ?? 16,
        sampleIntervalMs: env.SHED_SAMPLE_INTERVAL_MS ?? 500,
        retryAfterSeconds: 1,
      },
    },
    database: {
      databaseUrl: env.DATABASE_URL,
      dataDir: resolve(dataDir),
      runMigrations: env.DATABASE_MIGRATIONS_RUN !== 'false',
      poolSize: env.DATABASE_POOL_SIZE ?? 10,
      statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS ?? 5000,
      slowStatementMs: env.DATABASE_SLOW_STATEMENT_MS ?? 500,
    },
    auth: {
      mode: jwksUri ? 'jwks' : 'dev',
      jwksUri,
      issuers: jwksUri ? issuers : [DEV_ISSUER],
      audience: env.AUTH_AUDIENCE ?? DEFAULT_AUDIENCE,
      clockToleranceSeconds: env.AUTH_CLOCK_TOLERANCE_SECONDS ?? 30,
      dataDir,
    },
    notificationSigning: {
      keyPem: env.NOTIFICATION_SIGNING_KEY,
      keyFile: env.NOTIFICATION_SIGNING_KEY_FILE,
      dataDir,
      // The issuer bots validate: by default where they fetch /.well-known/openid-configuration.
      issuer: env.NOTIFICATION_ISSUER ?? env.PUBLIC_BASE_URL?.replace(/\/+$/, '') ?? 'calls-service',
      ttlSeconds: env.NOTIFICATION_TOKEN_TTL_SECONDS ?? 300,
    },
    messaging: {
      amqpUrl: env.AMQP_URL,
      exchange: env.AMQP_EXCHANGE ?? 'calls.events',
      brokerTimeoutMs: env.BROKER_TIMEOUT_MS ?? 5000,
      outboxBatchSize: env.OUTBOX_BATCH_SIZE ?? 100,
      outboxPollMs: env.OUTBOX_POLL_MS ?? 500,
      outboxLingerMs: env.OUTBOX_LINGER_MS ?? 5,
      outboxRetentionHours: env.OUTBOX_RETENTION_HOURS ?? 24,
      relayEnabled: env.OUTBOX_RELAY !== 'off',
    },
    mediaPlane: {
      mode: mediaPlaneMode,
      reportsExchange: env.MEDIA_EXCHANGE ?? 'calls.media',
      reportsQueue: env.MEDIA_REPORTS_QUEUE ?? 'calls.media-reports',
      simulatorQueue: env.MEDIA_SIMULATOR_QUEUE ?? 'calls.media-simulator',
      simulated: {
        connectMs: env.SIMULATED_CONNECT_MS ?? 0,
        promptMs: env.SIMULATED_PROMPT_MS ?? 3000,
        caller: env.SIMULATED_CALLER ?? 'speaks',
        recordingTtlSeconds: env.RECORDING_TTL_S ?? 3600,
      },
    },
    mediaGateway: {
      queue: env.MEDIA_GATEWAY_QUEUE ?? 'calls.media-gateway',
      rtpengineNg: env.RTPENGINE_NG ?? '127.0.0.1:22222',
      rtpengineHttp: env.RTPENGINE_HTTP ?? nextPort(env.RTPENGINE_NG ?? '127.0.0.1:22222'),
      port: env.MEDIA_GATEWAY_PORT ?? 3100,
      publicUrl: (env.MEDIA_GATEWAY_PUBLIC_URL ?? `http://127.0.0.1:${env.MEDIA_GATEWAY_PORT ?? 3100}`).replace(
        /\/+$/,
        '',
      ),
      edgeToken: env.MEDIA_EDGE_TOKEN,
      rtpAddress: env.MEDIA_GATEWAY_RTP_ADDRESS ?? '127.0.0.1',
      promptMaxBytes: env.MEDIA_PROMPT_MAX_BYTES ?? 8 * 1024 * 1024,
      promptTimeoutMs: env.MEDIA_PROMPT_TIMEOUT_MS ?? 10_000,
      recordingTtlSeconds: env.RECORDING_TTL_S ?? 3600,
      mediaTimeoutSeconds: env.MEDIA_TIMEOUT_S ?? 60,
      databaseUrl: env.DATABASE_URL,
    },
    throttling: {
      limit: env.THROTTLE_LIMIT ?? GRAPH_CALLS_THROTTLE.limit,
      windowMs: env.THROTTLE_WINDOW_MS ?? GRAPH_CALLS_THROTTLE.windowMs,
      redisUrl: env.REDIS_URL,
    },
    callLifetime: {
      keepAliveTimeoutMs: env.CALL_KEEPALIVE_TIMEOUT_S
        ? env.CALL_KEEPALIVE_TIMEOUT_S * 1000
        : DEFAULT_KEEPALIVE_TIMEOUT_MS,
      expirySweepMs: env.CALL_EXPIRY_SWEEP_MS ?? 5_000,
      retentionMs: (env.CALL_RETENTION_S ?? 3600) * 1000,
    },
    idempotency: { ttlMs: (env.IDEMPOTENCY_TTL_HOURS ?? 24) * 3_600_000 },
    notifier: {
      queue: env.NOTIFIER_QUEUE ?? 'calls.notifier',
      timeoutMs: env.NOTIFIER_TIMEOUT_MS ?? 5000,
      giveUpAfterMs: env.NOTIFIER_GIVE_UP_AFTER_MS ?? 15 * 60_000,
      backoffBaseMs: env.NOTIFIER_BACKOFF_BASE_MS ?? 500,
      backoffMaxMs: env.NOTIFIER_BACKOFF_MAX_MS ?? 60_000,
      concurrency: env.NOTIFIER_CONCURRENCY ?? 16,
      pollMs: env.NOTIFIER_POLL_MS ?? 250,
      leaseMs: env.NOTIFIER_LEASE_MS ?? 60_000,
      production,
    },
    tracing: tracingSettings(set),
  };
}
