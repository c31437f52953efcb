import type { CallsCloudEvent } from '@calls/messaging';

export interface InboxItem {
  readonly position: number;
  readonly eventId: string;
  readonly callId: string;
  readonly event: CallsCloudEvent;
  readonly attempts: number;
  readonly receivedAt: Date;
  /** When delivery first failed: the retry budget runs from here, so events queued behind a failing one keep theirs. */
  readonly firstFailureAt: Date | null;
}

export interface DeadLetter {
  readonly eventId: string;
  readonly callId: string;
  readonly type: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly failedAt: Date | null;
}

/**
 * The notifier's durable inbox. Events are accepted once each (by id), and
 * delivered in arrival order per call: only the oldest pending event of a
 * call is ever due. Claims are leases, so a notifier that dies mid-delivery
 * leaves its event to another after the lease.
 */
export interface NotificationInbox {
  /** Stores what is new; answers how many were new. Safe to call again with the same events. */
  accept(events: readonly CallsCloudEvent[]): Promise<number>;
  claimDue(limit: number, now: Date, leaseMs: number): Promise<InboxItem[]>;
  markDone(item: InboxItem, outcome: 'delivered' | 'skipped', now: Date): Promise<void>;
  scheduleRetry(item: InboxItem, nextAttemptAt: Date, error: string): Promise<void>;
  markDead(item: InboxItem, error: string, now: Date): Promise<void>;
  listDead(limit: number): Promise<DeadLetter[]>;
  /** Puts dead letters back in line; answers how many. */
  replay(eventIds: readonly string[] | 'all', now: Date): Promise<number>;
}

export const NOTIFICATION_INBOX = Symbol('NOTIFICATION_INBOX');
