/*
 * A command's result as a receipt keeps it: JSON, with each Date tagged so a
 * replay hands back the very value the first run returned (the HTTP layer
 * then writes the same answer from it).
 */

// No request body can hold this key (the DTOs refuse unknown properties), so user data is never mistaken for a tag.
const DATE = '@calls.date';

/** Always an object (`{ value }`): storage keeps JSON only as objects and arrays. */
export function encodeResult(result: unknown): { value: unknown } {
  return JSON.parse(
    JSON.stringify({ value: result ?? null }, function (this: Record<string, unknown>, key: string, value: unknown) {
      // `this[key]` is the value before Date.prototype.toJSON turned it into text.
      const original = this[key];
      return original instanceof Date ? { [DATE]: original.toISOString() } : value;
    }),
  ) as { value: unknown };
}

export function decodeResult<T>(stored: unknown): T {
  const revive = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(revive);
    if (value && typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length === 1 && entries[0][0] === DATE) return new Date(String(entries[0][1]));
      return Object.fromEntries(entries.map(([key, inner]) => [key, revive(inner)]));
    }
    return value;
  };
  const { value } = (stored ?? { value: null }) as { value: unknown };
  return (value === null ? undefined : revive(value)) as T;
}

/**
 * An answer the previous release stored for a key (its idempotency_keys
 * table), carried into a receipt by migration 1764280000000: the HTTP answer
 * as first sent, replayed as it is rather than rebuilt from a result.
 */
export class CarriedAnswer extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly location: string | null,
  ) {
    super('the first answer of this Idempotency-Key, as the previous release stored it');
    this.name = new.target.name;
  }
}

/** The carried answer a stored receipt holds, if it is one. */
export function carriedAnswerOf(stored: unknown): CarriedAnswer | null {
  const answer = (stored as { answer?: { status: number; body: unknown; location: string | null } } | null)?.answer;
  return answer ? new CarriedAnswer(answer.status, answer.body, answer.location) : null;
}
