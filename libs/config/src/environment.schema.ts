import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsIP,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  ValidateIf,
} from 'class-validator';

const isProduction = (env: Environment) => env.NODE_ENV === 'production';
const BROKER_NAME = /^[\w.:-]{1,255}$/;
const url = (protocols: string[]) =>
  IsUrl(
    { protocols, require_protocol: true, require_tld: false },
    { message: `$property must be a ${protocols.join('/')} URL` },
  );

/**
 * Every variable the processes read, with what a valid value is. Checked at
 * start (by loadConfig, see config.ts), so a wrong or missing value stops the
 * process with a message naming it, instead of failing later at runtime.
 */
export class Environment {
  /** The variables as typed values (numbers converted by their @Type), once validateEnvironment accepted them. */
  static from(set: Record<string, unknown>): Environment {
    return plainToInstance(Environment, set, { enableImplicitConversion: false });
  }

  @IsOptional() @IsIn(['development', 'production', 'test']) NODE_ENV?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(65535) PORT?: number;
  @IsOptional() @IsString() HOST?: string;
  @IsOptional() @IsIn(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']) LOG_LEVEL?: string;

  @ValidateIf((env: Environment) => isProduction(env) || env.DATABASE_URL !== undefined)
  @url(['postgres', 'postgresql'])
  DATABASE_URL?: string;
  @IsOptional() @IsIn(['true', 'false']) DATABASE_MIGRATIONS_RUN?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) DATABASE_POOL_SIZE?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(100) DATABASE_STATEMENT_TIMEOUT_MS?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) DATABASE_SLOW_STATEMENT_MS?: number;

  @ValidateIf((env: Environment) => isProduction(env) || env.AUTH_JWKS_URI !== undefined)
  @url(['https', 'http'])
  AUTH_JWKS_URI?: string;
  @ValidateIf((env: Environment) => isProduction(env) || env.AUTH_JWKS_URI !== undefined)
  @IsString()
  @Matches(/\S/, { message: 'AUTH_ISSUER must name at least one issuer' })
  AUTH_ISSUER?: string;
  @ValidateIf((env: Environment) => isProduction(env))
  @IsString()
  AUTH_AUDIENCE?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(300) AUTH_CLOCK_TOLERANCE_SECONDS?: number;

  @IsOptional() @url(['amqp', 'amqps']) AMQP_URL?: string;
  @IsOptional() @url(['redis', 'rediss']) REDIS_URL?: string;
  @IsOptional() @IsIn(['simulated', 'broker']) MEDIA_PLANE?: string;
  @IsOptional() @IsIn(['on', 'off']) OUTBOX_RELAY?: string;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1024) BODY_LIMIT_BYTES?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) BODY_DRAIN_LIMIT_BYTES?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(100) REQUEST_TIMEOUT_MS?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) SHED_EVENT_LOOP_DELAY_MS?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) SHED_DATABASE_WAIT_MS?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(10) SHED_SAMPLE_INTERVAL_MS?: number;
  @IsOptional() @IsIn(['adaptive', 'off']) SHED_ADMISSION?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) SHED_MAX_IN_FLIGHT?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) SHED_MAX_QUEUE?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) SHED_QUEUE_BUDGET_MS?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) SHED_OVERLOAD_QUEUE_BUDGET_MS?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) SHED_CRITICAL_QUEUE_BUDGET_MS?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) SHED_CALL_QUEUE?: number;
  @IsOptional() @url(['https', 'http']) PUBLIC_BASE_URL?: string;
  @IsOptional()
  @Matches(/^(true|false|\d+|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/, {
    message: 'TRUST_PROXY must be true, false, a hop count, or addresses/CIDRs separated by commas',
  })
  TRUST_PROXY?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) THROTTLE_LIMIT?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(100) THROTTLE_WINDOW_MS?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) CALL_KEEPALIVE_TIMEOUT_S?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(10) CALL_EXPIRY_SWEEP_MS?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) CALL_RETENTION_S?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) OUTBOX_BATCH_SIZE?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(10) OUTBOX_POLL_MS?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1000) OUTBOX_LINGER_MS?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) SHUTDOWN_GRACE_MS?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) NOTIFIER_GIVE_UP_AFTER_MS?: number;

  // Every replica and the notifier must sign with the one key the bots were given: no per-pod dev key in production.
  @ValidateIf((env: Environment) => isProduction(env) && !env.NOTIFICATION_SIGNING_KEY_FILE)
  @IsString({ message: 'NOTIFICATION_SIGNING_KEY (or NOTIFICATION_SIGNING_KEY_FILE) is required in production' })
  @Matches(/-----BEGIN (RSA )?PRIVATE KEY-----/, { message: 'NOTIFICATION_SIGNING_KEY must be a PEM private key' })
  NOTIFICATION_SIGNING_KEY?: string;
  @IsOptional() @IsString() NOTIFICATION_SIGNING_KEY_FILE?: string;

  // Tracing is on when one of these is set; the SDK reads the rest of OTEL_* itself.
  @IsOptional() @url(['http', 'https']) OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  @IsOptional() @url(['http', 'https']) OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  @IsOptional() @IsIn(['http/protobuf', 'http/json', 'grpc']) OTEL_EXPORTER_OTLP_PROTOCOL?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(100) NOTIFIER_TIMEOUT_MS?: number;
  @IsOptional() @IsIn(['true', 'false']) OTEL_SDK_DISABLED?: string;
  @IsOptional() @IsString() OTEL_SERVICE_NAME?: string;

  @IsOptional() @IsString() DATA_DIR?: string;
  @IsOptional() @Type(() => Number) @IsNumber() @Min(0) IDEMPOTENCY_TTL_HOURS?: number;
  @IsOptional() @Type(() => Number) @IsNumber() @Min(0) OUTBOX_RETENTION_HOURS?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(100) BROKER_TIMEOUT_MS?: number;
  // Exchange and queue names: AMQP's short strings, letters, digits and . _ - : only.
  @IsOptional() @Matches(BROKER_NAME) AMQP_EXCHANGE?: string;
  @IsOptional() @Matches(BROKER_NAME) MEDIA_EXCHANGE?: string;
  @IsOptional() @Matches(BROKER_NAME) MEDIA_REPORTS_QUEUE?: string;
  @IsOptional() @Matches(BROKER_NAME) MEDIA_SIMULATOR_QUEUE?: string;
  @IsOptional() @Matches(BROKER_NAME) NOTIFIER_QUEUE?: string;
  @IsOptional() @Matches(BROKER_NAME) MEDIA_GATEWAY_QUEUE?: string;
  @IsOptional() @Matches(/^\S+:\d{1,5}$/, { message: 'RTPENGINE_NG must be host:port' }) RTPENGINE_NG?: string;
  @IsOptional() @Matches(/^\S+:\d{1,5}$/, { message: 'RTPENGINE_HTTP must be host:port' }) RTPENGINE_HTTP?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(65535) MEDIA_GATEWAY_PORT?: number;
  @IsOptional() @url(['https', 'http']) MEDIA_GATEWAY_PUBLIC_URL?: string;
  @IsOptional()
  @MinLength(16, { message: 'MEDIA_EDGE_TOKEN must be at least 16 characters' })
  MEDIA_EDGE_TOKEN?: string;
  @IsOptional() @IsIP(4) MEDIA_GATEWAY_RTP_ADDRESS?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) MEDIA_PROMPT_MAX_BYTES?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(100) MEDIA_PROMPT_TIMEOUT_MS?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) RECORDING_TTL_S?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) MEDIA_TIMEOUT_S?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) SIMULATED_CONNECT_MS?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) SIMULATED_PROMPT_MS?: number;
  @IsOptional() @IsIn(['speaks', 'silent']) SIMULATED_CALLER?: 'speaks' | 'silent';

  @IsOptional() @IsString() NOTIFICATION_ISSUER?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) NOTIFICATION_TOKEN_TTL_SECONDS?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) NOTIFIER_BACKOFF_BASE_MS?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) NOTIFIER_BACKOFF_MAX_MS?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) NOTIFIER_CONCURRENCY?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) NOTIFIER_LEASE_MS?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(10) NOTIFIER_POLL_MS?: number;
}

/** Variables whose value is a secret: a message may say they are wrong, never what they hold. */
const SECRET = new Set(['NOTIFICATION_SIGNING_KEY']);

/** A value as an error message may show it: no secrets, no passwords in URLs. */
function shownValue(name: string, value: unknown): string {
  if (value === undefined) return 'missing';
  if (SECRET.has(name)) return 'set, not shown';
  let text = String(value);
  try {
    const url = new URL(text);
    if (url.password) {
      url.password = '***';
      text = url.toString();
    }
  } catch {
    // not a URL: shown as it is
  }
  return `'${text.slice(0, 60)}'`;
}

/** The environment as checked; throws one error naming every wrong or missing variable. */
export function validateEnvironment(raw: Record<string, unknown>): Record<string, unknown> {
  // An empty variable means "not set", as the readers treat it.
  const set = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== ''));
  const env = Environment.from(set);
  const errors = validateSync(env, { skipMissingProperties: false, whitelist: false });
  if (errors.length > 0) {
    const problems = errors.map((error) => {
      const shown = shownValue(error.property, raw[error.property]);
      return `${error.property} (${shown}): ${Object.values(error.constraints ?? {}).join('; ')}`;
    });
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return raw;
}
