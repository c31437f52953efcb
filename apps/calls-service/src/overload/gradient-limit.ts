/**
 * How many requests may be in flight at once, adapted to what the
 * service's latency says: the gradient algorithm of Netflix's
 * concurrency-limits (Gradient2Limit) and of Envoy's adaptive concurrency
 * filter. Written here because no maintained Node.js package does this.
 *
 * Every window (at least `windowMs` and `minSamples` answers), the
 * window's mean latency (short) is compared with a slow moving average of
 * it (long, the service's latency when it is not queueing). The gradient
 * `tolerance * long / short`, kept within [0.5, 1], shrinks the limit as
 * soon as requests take longer than the tolerated multiple of the usual; a
 * headroom of sqrt(limit) lets it grow again while latency holds. A window
 * in which fewer than half the slots were used says nothing about the
 * limit (the load, not the service, was the bottleneck), so the limit does
 * not grow on it. The long average follows a lower latency within a few
 * windows but a higher one only over `longWindows` (a minute by default),
 * so an overload that lasts does not become the usual; that is where this
 * differs from Gradient2, whose long average follows both ways alike.
 */
export interface GradientLimitSettings {
  readonly initialLimit: number;
  readonly minLimit: number;
  readonly maxLimit: number;
  /** How much slower than usual a window may be before the limit shrinks (Netflix's default: 1.5). */
  readonly tolerance: number;
  /** Weight of the new limit at each window (Netflix's default: 0.2). */
  readonly smoothing: number;
  /** Windows over which the long average follows a rising latency. */
  readonly longWindows: number;
  readonly windowMs: number;
  readonly minSamples: number;
}

/** How the limit moves, apart from its bounds (which are configured). */
export const GRADIENT_TUNING = {
  tolerance: 1.5,
  smoothing: 0.2,
  longWindows: 600,
  windowMs: 100,
  minSamples: 10,
} as const;

export class GradientLimit {
  private value: number;
  private longMs = 0;
  private windowStart: number;
  private windowSum = 0;
  private windowCount = 0;
  private windowMaxInFlight = 0;

  constructor(
    private readonly settings: GradientLimitSettings,
    now: number = Date.now(),
  ) {
    this.value = settings.initialLimit;
    this.windowStart = now;
  }

  /** Requests that may be in flight now (whole). */
  get limit(): number {
    return Math.floor(this.value);
  }

  /** One answer took `latencyMs`, with `inFlight` requests in flight when it started. */
  record(latencyMs: number, inFlight: number, now: number = Date.now()): void {
    this.windowSum += latencyMs;
    this.windowCount += 1;
    this.windowMaxInFlight = Math.max(this.windowMaxInFlight, inFlight);
    if (now - this.windowStart < this.settings.windowMs || this.windowCount < this.settings.minSamples) return;
    this.update(this.windowSum / this.windowCount, this.windowMaxInFlight);
    this.windowStart = now;
    this.windowSum = 0;
    this.windowCount = 0;
    this.windowMaxInFlight = 0;
  }

  private update(shortMs: number, maxInFlight: number): void {
    const { tolerance, smoothing, longWindows, minLimit, maxLimit } = this.settings;
    // Quick to follow the latency down, slow to follow it up: a long overload does not become the usual.
    if (this.longMs === 0) this.longMs = shortMs;
    else if (shortMs < this.longMs) this.longMs += (shortMs - this.longMs) / 2;
    else this.longMs += (shortMs - this.longMs) / longWindows;
    // The load did not use the limit: nothing learnt about how far the service goes.
    if (maxInFlight < this.value / 2) return;
    const gradient = Math.max(0.5, Math.min(1, (tolerance * this.longMs) / shortMs));
    const next = this.value * gradient + Math.sqrt(this.value);
    this.value = Math.max(minLimit, Math.min(maxLimit, this.value * (1 - smoothing) + next * smoothing));
  }
}
