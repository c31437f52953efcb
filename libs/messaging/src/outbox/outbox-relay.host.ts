import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MESSAGING_SETTINGS, MessagingSettings } from '../messaging.config';
import { OutboxRelay } from './outbox-relay';
import type { AfterCommit } from '@calls/application';
import type { SavedEvents } from '@calls/domain';
import { OutboxHold, OutboxPublishing } from './outbox-publishing';
import { INTEGRATION_EVENT_PUBLISHER, IntegrationEventPublisher, OUTBOX_SOURCE, OutboxSource } from './outbox.ports';

const PRUNE_EVERY_MS = 60_000;

/** The hold of a direct save's rows: past a publish's timeout, with room for the mark. */
export const outboxHold = (settings: Pick<MessagingSettings, 'brokerTimeoutMs'>): OutboxHold => ({
  holdMs: 2 * settings.brokerTimeoutMs,
});
/** Directly published rows are marked in one UPDATE per this many ms at most. */
const DIRECT_MARK_DELAY_MS = 5;

/**
 * Runs the outbox for the life of the process: the after-commit port, which
 * publishes each save's held events right after its commit
 * (outbox-publishing.ts states the rules), and the relay for the rest, woken
 * by the saves that leave their events to it, polling for rows other
 * replicas wrote or released, pruning published rows past their retention,
 * and on shutdown publishing or releasing what it holds before the broker
 * connection closes.
 */
@Injectable()
export class OutboxRelayHost implements OnApplicationBootstrap, OnApplicationShutdown, AfterCommit {
  private readonly logger = new Logger(OutboxRelayHost.name);
  private readonly relay: OutboxRelay;
  private readonly publishing: OutboxPublishing;
  private pruneTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(OUTBOX_SOURCE) private readonly source: OutboxSource,
    @Inject(INTEGRATION_EVENT_PUBLISHER) private readonly publisher: IntegrationEventPublisher,
    @Inject(MESSAGING_SETTINGS) private readonly settings: MessagingSettings,
  ) {
    this.relay = new OutboxRelay(source, publisher, {
      batchSize: settings.outboxBatchSize,
      pollIntervalMs: settings.outboxPollMs,
      maxBackoffMs: 5_000,
      lingerMs: settings.outboxLingerMs,
    });
    this.publishing = new OutboxPublishing(this.relay, source, {
      holdMs: outboxHold(settings).holdMs,
      publishTimeoutMs: settings.brokerTimeoutMs,
      markDelayMs: DIRECT_MARK_DELAY_MS,
    });
  }

  committed(saved: SavedEvents): void {
    this.publishing.committed(saved);
  }

  onApplicationBootstrap(): void {
    // A broker that is down now is retried by the relay's first batch; this only shows the state early.
    this.publisher.connect?.().catch((error: Error) => this.logger.warn(`broker not reachable yet: ${error.message}`));
    this.relay.start();
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await this.publishing.drain();
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
