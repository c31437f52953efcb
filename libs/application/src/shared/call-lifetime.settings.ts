/**
 * How long a call lives without a keepAlive, how often the service looks for
 * calls past it, and how long an ended call is still served before it is gone.
 */
export interface CallLifetimeSettings {
  readonly keepAliveTimeoutMs: number;
  readonly expirySweepMs: number;
  /** An ended call, with its operations, is served (GET) this long after its end, then deleted. */
  readonly retentionMs: number;
}

export const CALL_LIFETIME_SETTINGS = Symbol('CALL_LIFETIME_SETTINGS');
