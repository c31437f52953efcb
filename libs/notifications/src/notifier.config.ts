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
