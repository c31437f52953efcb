import { DEFAULT_KEEPALIVE_TIMEOUT_MS } from '@calls/domain';

/** How long a call lives without a keepAlive, and how often the service looks for calls past it. */
export interface CallLifetimeSettings {
  readonly keepAliveTimeoutMs: number;
  readonly expirySweepMs: number;
}

export const CALL_LIFETIME_SETTINGS = Symbol('CALL_LIFETIME_SETTINGS');

export function callLifetimeSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): CallLifetimeSettings {
  const timeoutS = env.CALL_KEEPALIVE_TIMEOUT_S;
  return {
    keepAliveTimeoutMs: timeoutS ? Number(timeoutS) * 1000 : DEFAULT_KEEPALIVE_TIMEOUT_MS,
    expirySweepMs: Number(env.CALL_EXPIRY_SWEEP_MS || 5_000),
  };
}
