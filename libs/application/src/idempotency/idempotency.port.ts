import type { CallOwner } from '@calls/domain';

/** The answer first given to a request, kept to be given again to its retries. */
export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
  readonly location: string | null;
}

export type IdempotencyBegin =
  | { readonly outcome: 'proceed' }
  | { readonly outcome: 'replay'; readonly response: StoredResponse }
  | { readonly outcome: 'mismatch' }
  | { readonly outcome: 'inProgress' };

/**
 * Keys a client sends so that a retried POST has its effect once. Keys are
 * per application per tenant. `begin` claims a key for a request (by the hash
 * of its method, path and body) with a lease; `complete` stores the answer;
 * `release` gives the key up when the request failed, so a retry runs again.
 */
export interface IdempotencyStore {
  begin(owner: CallOwner, key: string, requestHash: string, now: Date): Promise<IdempotencyBegin>;
  complete(owner: CallOwner, key: string, response: StoredResponse, now: Date): Promise<void>;
  release(owner: CallOwner, key: string): Promise<void>;
}

export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');

export interface IdempotencySettings {
  /** How long a key and its answer are kept. */
  readonly ttlMs: number;
  /** How long a request holds its key before a retry may take it over (a crashed replica). */
  readonly leaseMs: number;
}

export const IDEMPOTENCY_SETTINGS = Symbol('IDEMPOTENCY_SETTINGS');

export function idempotencySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): IdempotencySettings {
  return {
    ttlMs: Number(env.IDEMPOTENCY_TTL_HOURS ?? 24) * 3_600_000,
    leaseMs: Number(env.IDEMPOTENCY_LEASE_MS ?? 60_000),
  };
}
