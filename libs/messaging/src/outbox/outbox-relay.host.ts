import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { Subscription } from 'rxjs';
import { MESSAGING_SETTINGS, MessagingSettings } from '../messaging.config';
import { OutboxRelay } from './outbox-relay';
import { INTEGRATION_EVENT_PUBLISHER, IntegrationEventPublisher, OUTBOX_SOURCE, OutboxSource } from './outbox.ports';

const PRUNE_EVERY_MS = 60_000;

/**
 * Runs the outbox relay for the life of the process: woken by every event
 * the in-process bus sees (published only after a commit), polling for rows
 * other replicas wrote, pruning published rows past their retention, and on
 * shutdown finishing the batch in flight before the broker connection closes.
 */
@Injectable()
export class OutboxRelayHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelayHost.name);
  private readonly relay: OutboxRelay;
  private subscription: Subscription | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(OUTBOX_SOURCE) private readonly source: OutboxSource,
    @Inject(INTEGRATION_EVENT_PUBLISHER) private readonly publisher: IntegrationEventPublisher,
    @Inject(MESSAGING_SETTINGS) private readonly settings: MessagingSettings,
    private readonly eventBus: EventBus,
  ) {
    this.relay = new OutboxRelay(source, publisher, {
      batchSize: settings.outboxBatchSize,
      pollIntervalMs: settings.outboxPollMs,
      maxBackoffMs: 5_000,
      lingerMs: settings.outboxLingerMs,
    });
  }

  onApplicationBootstrap(): void {
    // A broker that is down now is retried by the relay's first batch; this only shows the state early.
    this.publisher.connect?.().catch((error: Error) => this.logger.warn(`broker not reachable yet: ${error.message}`));
    this.subscription = this.eventBus.subscribe(() => this.relay.wake());
    this.relay.start();
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscription?.unsubscribe();
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await this.relay.stop();
    await this.publisher.close();
  }

  private async prune(): Promise<void> {
    try {
      const before = new Date(Date.now() - this.settings.outboxRetentionHours * 3_600_000);
      const pruned = await this.source.prunePublished(before);
      if (pruned > 0) this.logger.log(`pruned ${pruned} published outbox rows`);
    } catch (error) {
      this.logger.warn(`outbox pruning failed: ${(error as Error).message}`);
    }
  }
}
