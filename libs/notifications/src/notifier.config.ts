export interface NotifierSettings {
  readonly timeoutMs: number;
  /** After this long since its first failure, a failing delivery becomes a dead letter. */
  readonly giveUpAfterMs: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** Calls delivered to at once (events of one call always go one after another). */
  readonly concurrency: number;
  readonly pollMs: number;
  readonly leaseMs: number;
  readonly production: boolean;
}

export const NOTIFIER_SETTINGS = Symbol('NOTIFIER_SETTINGS');

export function notifierSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): NotifierSettings {
  return {
    timeoutMs: Number(env.NOTIFIER_TIMEOUT_MS ?? 5000),
    giveUpAfterMs: Number(env.NOTIFIER_GIVE_UP_AFTER_MS ?? 15 * 60_000),
    backoffBaseMs: Number(env.NOTIFIER_BACKOFF_BASE_MS ?? 500),
    backoffMaxMs: Number(env.NOTIFIER_BACKOFF_MAX_MS ?? 60_000),
    concurrency: Number(env.NOTIFIER_CONCURRENCY ?? 16),
    pollMs: Number(env.NOTIFIER_POLL_MS ?? 250),
    leaseMs: Number(env.NOTIFIER_LEASE_MS ?? 60_000),
    production: env.NODE_ENV === 'production',
  };
}
