/** How long a call lives without a keepAlive, and how often the service looks for calls past it. */
export interface CallLifetimeSettings {
  readonly keepAliveTimeoutMs: number;
  readonly expirySweepMs: number;
}

export const CALL_LIFETIME_SETTINGS = Symbol('CALL_LIFETIME_SETTINGS');
