import { Logger } from '@nestjs/common';
import type { NotificationSigner } from '@calls/auth';
import { BackgroundLoop, traceContextOfEvent } from '@calls/messaging';
import { inSpanFrom, notifierDeliveries, SpanKind } from '@calls/runtime';
import { postJson } from './callback-transport';
import type { InboxItem, NotificationInbox } from './notification-inbox.port';
import { toNotification } from './notification.builder';
import type { NotifierSettings } from './notifier.config';

/** Worth another try: the receiver may get better (timeouts and network errors are retried too). */
const RETRYABLE = (status: number) => status >= 500 || status === 408 || status === 429;

/**
 * Delivers the inbox to bots: each due event becomes Graph's commsNotifications,
 * signed, POSTed to the call's callbackUri. Failures are retried with
 * exponential backoff and full jitter (or after the receiver's Retry-After)
 * until the budget since its first failure runs out; then the event is a dead
 * letter, and the next event of that call goes on with a budget of its own.
 */
export class NotificationDispatcher extends BackgroundLoop {
  private readonly logger = new Logger(NotificationDispatcher.name);

  constructor(
    private readonly inbox: NotificationInbox,
    private readonly signer: NotificationSigner,
    private readonly settings: NotifierSettings,
  ) {
    super();
  }

  /** One round: delivers what is due now; answers how many events it handled. */
  async deliverDue(now = new Date()): Promise<number> {
    const items = await this.inbox.claimDue(this.settings.concurrency, now, this.settings.leaseMs);
    await Promise.all(items.map((item) => this.deliver(item)));
    return items.length;
  }

  /** Each delivery is a span in the trace of the request that caused the event (the POST is its child). */
  private deliver(item: InboxItem): Promise<void> {
    return inSpanFrom(
      traceContextOfEvent(item.event),
      'deliver commsNotification',
      SpanKind.INTERNAL,
      {
        'cloudevents.event_id': item.eventId,
        'cloudevents.event_type': item.event.type,
        'calls.notification.attempt': item.attempts + 1,
      },
      () => this.attempt(item),
    );
  }

  private async attempt(item: InboxItem): Promise<void> {
    const notification = toNotification(item.event);
    if (!notification) {
      notifierDeliveries.inc({ outcome: 'skipped' });
      return this.inbox.markDone(item, 'skipped', new Date());
    }
    let failure: string;
    let retryAfterMs: number | undefined;
    try {
      const result = await postJson(
        notification.callbackUri,
        notification.body,
        {
          authorization: `Bearer ${this.signer.sign(notification.appId, notification.tenantId)}`,
          'x-calls-event-id': item.eventId,
        },
        this.settings,
      );
      if (result.status >= 200 && result.status < 300) {
        notifierDeliveries.inc({ outcome: 'delivered' });
        return this.inbox.markDone(item, 'delivered', new Date());
      }
      failure = `HTTP ${result.status}`;
      retryAfterMs = result.retryAfterMs;
      if (!RETRYABLE(result.status)) return this.giveUp(item, `${failure} (not retryable)`);
    } catch (error) {
      failure = (error as Error).message;
      if ((error as NodeJS.ErrnoException).code === 'ENONPUBLIC') return this.giveUp(item, failure);
    }
    const delay = retryAfterMs ?? this.backoffMs(item.attempts + 1);
    const next = new Date(Date.now() + delay);
    const budgetStart = item.firstFailureAt ?? new Date();
    if (next.getTime() > budgetStart.getTime() + this.settings.giveUpAfterMs) {
      return this.giveUp(item, `${failure}; gave up after ${item.attempts + 1} attempts`);
    }
    notifierDeliveries.inc({ outcome: 'retry' });
    // Said at every failed attempt, the first one included: a callbackUri nobody answers is seen at once.
    // Its origin only: a bot may carry a secret in the path or the query.
    this.logger.warn(
      `notification ${item.eventId} for call ${item.callId} to ${new URL(notification.callbackUri).origin} failed (attempt ` +
        `${item.attempts + 1}): ${failure}; retrying in ${Math.round(delay / 1000)} s`,
    );
    await this.inbox.scheduleRetry(item, next, failure);
  }

  private async giveUp(item: InboxItem, reason: string): Promise<void> {
    this.logger.warn(`notification ${item.eventId} for call ${item.callId} is a dead letter: ${reason}`);
    notifierDeliveries.inc({ outcome: 'dead' });
    await this.inbox.markDead(item, reason, new Date());
  }

  /** Full jitter: a random wait up to the exponential cap, so bots coming back are not stampeded. */
  private backoffMs(attempt: number): number {
    const cap = Math.min(this.settings.backoffMaxMs, this.settings.backoffBaseMs * 2 ** (attempt - 1));
    return Math.round(Math.random() * cap);
  }

  /** One round of the loop; answers how long to pause before the next. */
  protected async round(): Promise<number> {
    try {
      return (await this.deliverDue()) > 0 ? 0 : this.settings.pollMs;
    } catch (error) {
      this.logger.warn(`notifier round failed: ${(error as Error).message}`);
      return this.settings.pollMs;
    }
  }
}
