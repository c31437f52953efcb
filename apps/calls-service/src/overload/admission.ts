import type { AdmissionSettings } from '@calls/config';
import { GRADIENT_TUNING, GradientLimit } from './gradient-limit';

/**
 * Admission at the door by queueing delay, with two classes. Requests in
 * flight are held to an adaptive limit (gradient-limit.ts); past it a
 * request waits in a short queue, and one that has waited longer than its
 * class's budget since it arrived is refused before any database work, as
 * CoDel drops a packet whose sojourn exceeds its target. `critical`
 * requests (cancelMediaProcessing and hang-up: they stop audio and free
 * media) may go past the limit by a headroom, leave the queue first, take
 * the place of a queued ordinary request when the queue is full, and wait
 * longer: so no cancel is refused while anything else still could be.
 * Written here: no maintained Node.js package limits concurrency
 * adaptively with priorities.
 */
export type AdmissionClass = 'critical' | 'normal';

/** Share of the limit that critical requests may take beyond it: they are short, and each stops audio. */
const CRITICAL_HEADROOM = 0.25;

/** How long after its last refusal the door keeps the short budget. */
const OVERLOAD_HOLD_MS = 1000;

/** A place in flight; release it once the answer has gone (or the client has). */
export interface Ticket {
  release(now?: number): void;
}

export interface Refusal {
  /** Why, for the client. */
  readonly refused: string;
  /** Why, for the metrics. */
  readonly reason: 'queue_full' | 'waited_too_long' | 'call_queue_full' | 'shutting_down';
}

interface Waiter {
  readonly cls: AdmissionClass;
  readonly arrivedAt: number;
  readonly settle: (outcome: Ticket | Refusal) => void;
}

/** A FIFO with O(1) removal at both ends (a plain array's shift is O(n)). */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  pop(): T | undefined {
    return this.length > 0 ? this.items.pop() : undefined;
  }
}

export class Admission {
  private readonly gradient: GradientLimit;
  private running = 0;
  private readonly waiting = { critical: new Fifo<Waiter>(), normal: new Fifo<Waiter>() };
  private sweeper: NodeJS.Timeout | undefined;
  /** Until when the short budget applies, by class (epoch ms). */
  private readonly overloadedUntil = { critical: 0, normal: 0 };
  /** Refusals since start, for tests (the metrics count them by reason where they are answered). */
  readonly counts = { refusedFull: 0, refusedLate: 0 };

  constructor(private readonly settings: AdmissionSettings) {
    const { initialLimit, minLimit, maxLimit } = settings;
    this.gradient = new GradientLimit({ initialLimit, minLimit, maxLimit, ...GRADIENT_TUNING });
  }

  get limit(): number {
    return this.gradient.limit;
  }

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.critical.length + this.waiting.normal.length;
  }

  /**
   * A ticket now, a refusal now, or (past the limit) a promise of either.
   * `arrivedAt` is when the request reached the service, so the time it
   * already spent in the event loop counts against its budget.
   */
  acquire(
    cls: AdmissionClass,
    arrivedAt: number,
    now: number = Date.now(),
  ): Ticket | Refusal | Promise<Ticket | Refusal> {
    if (this.admitsNow(cls)) return this.admit(now);
    // Only a request that would queue is judged by its wait: a pause of the loop alone (a GC) refuses nothing.
    if (now - arrivedAt > this.budgetOf(cls, now)) return this.refuseLate(now - arrivedAt, now, cls);
    if (this.queued >= this.settings.maxQueue) {
      // A critical request takes the place of the ordinary one that arrived last.
      const displaced = cls === 'critical' ? this.waiting.normal.pop() : undefined;
      if (!displaced) return this.refuseFull(now, cls);
      displaced.settle(this.refuseFull(now, 'normal'));
    }
    return new Promise((settle) => {
      this.waiting[cls].push({ cls, arrivedAt, settle });
      if (!this.sweeper) {
        // Waiters past their budget are refused even while no answer frees a place.
        this.sweeper = setInterval(
          () => this.drain(),
          Math.max(1, Math.min(this.settings.overloadQueueBudgetMs / 2, 10)),
        );
        this.sweeper.unref();
      }
    });
  }

  /**
   * A refusal now when the request could neither take a place nor wait for
   * one, else nothing: checked as a request arrives, so that while the
   * queue is full a refusal costs no authentication, parsing or guard.
   */
  refuseIfFull(cls: AdmissionClass, now: number = Date.now()): Refusal | undefined {
    if (this.queued < this.settings.maxQueue || this.admitsNow(cls)) return undefined;
    // A critical request would take the place of a waiting ordinary one.
    if (cls === 'critical' && this.waiting.normal.length > 0) return undefined;
    return this.refuseFull(now, cls);
  }

  /** A place free for this class, and nobody it may not pass waiting: a critical request passes ordinary ones. */
  private admitsNow(cls: AdmissionClass): boolean {
    const ahead = cls === 'critical' ? this.waiting.critical.length : this.queued;
    return ahead === 0 && this.running < this.capacityOf(cls);
  }

  private admit(now: number): Ticket {
    this.running += 1;
    const inFlightAtStart = this.running;
    let released = false;
    return {
      release: (at: number = Date.now()) => {
        if (released) return;
        released = true;
        this.running -= 1;
        this.gradient.record(at - now, inFlightAtStart, at);
        this.drain(at);
      },
    };
  }

  /** Refuses waiters past their budget, then admits from the front, critical first. */
  private drain(now: number = Date.now()): void {
    for (const cls of ['critical', 'normal'] as const) {
      const queue = this.waiting[cls];
      for (let head = queue.peek(); head && now - head.arrivedAt > this.budgetOf(cls, now); head = queue.peek()) {
        queue.shift()!.settle(this.refuseLate(now - head.arrivedAt, now, cls));
      }
    }
    for (const cls of ['critical', 'normal'] as const) {
      const queue = this.waiting[cls];
      while (queue.length > 0 && this.running < this.capacityOf(cls)) queue.shift()!.settle(this.admit(now));
    }
    if (this.queued === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private capacityOf(cls: AdmissionClass): number {
    const limit = this.gradient.limit;
    return cls === 'critical' ? limit + Math.ceil(limit * CRITICAL_HEADROOM) : limit;
  }

  /**
   * An ordinary request's budget is long while the queue only absorbs
   * bursts and clients that wait for their answers (as many as the limit
   * and the queue hold), and short once more arrive than that: from the
   * queue's overflowing until it has refused nobody for OVERLOAD_HOLD_MS.
   * Then a waiter past the short budget is refused, so that what is
   * accepted does not wait behind a standing queue, and what is refused
   * learns it fast (CoDel's idea, with the full queue as its trigger).
   * Critical requests keep their long budget unless they overflow the
   * queue themselves: only a flood of cancels and hang-ups sheds them so.
   */
  private budgetOf(cls: AdmissionClass, now: number = Date.now()): number {
    const overloaded = now < this.overloadedUntil[cls];
    if (overloaded) return this.settings.overloadQueueBudgetMs;
    return cls === 'critical' ? this.settings.criticalQueueBudgetMs : this.settings.queueBudgetMs;
  }

  /** A class whose own requests overflow the queue (a flood of cancels alone) is shed on the short budget too. */
  private refuseFull(now: number, cls: AdmissionClass): Refusal {
    this.overloadedUntil[cls] = now + OVERLOAD_HOLD_MS;
    this.counts.refusedFull += 1;
    return { refused: `the service is at capacity (${this.queued} requests waiting)`, reason: 'queue_full' };
  }

  private refuseLate(waitedMs: number, now: number, cls: AdmissionClass): Refusal {
    if (now < this.overloadedUntil[cls]) this.overloadedUntil[cls] = now + OVERLOAD_HOLD_MS;
    this.counts.refusedLate += 1;
    return {
      refused: `the service is overloaded (the request waited ${Math.round(waitedMs)} ms to start)`,
      reason: 'waited_too_long',
    };
  }

  /** Stops the sweep (application shutdown); waiters are refused. */
  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const cls of ['critical', 'normal'] as const)
      for (let waiter = this.waiting[cls].shift(); waiter; waiter = this.waiting[cls].shift())
        waiter.settle({ refused: 'the service is shutting down', reason: 'shutting_down' });
  }
}

export function isRefusal(outcome: Ticket | Refusal): outcome is Refusal {
  return (outcome as Refusal).refused !== undefined;
}
