import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MESSAGING_SETTINGS, MessagingSettings } from '../messaging.config';
import { OutboxRelay } from './outbox-relay';
import type { OutboxMessage } from '../contracts/cloud-event';
import { DirectPublishing } from './direct-publishing';
import {
  INTEGRATION_EVENT_PUBLISHER,
  IntegrationEventPublisher,
  OUTBOX_SOURCE,
  OutboxHandover,
  OutboxSource,
} from './outbox.ports';

const PRUNE_EVERY_MS = 60_000;
/** Directly published rows are marked in one UPDATE per this many ms at most. */
const DIRECT_MARK_DELAY_MS = 5;

/**
 * Runs the outbox for the life of the process: direct publishing of each
 * save's events right after its commit (direct-publishing.ts), and the relay
 * for the rest, woken by the saves that hand their events to it, polling for
 * rows other replicas wrote or left, pruning published rows past their
 * retention, and on shutdown finishing what is in flight before the broker
 * connection closes. It is the OutboxHandover the call repository hands
 * every save's events to.
 */
@Injectable()
export class OutboxRelayHost implements OnApplicationBootstrap, OnApplicationShutdown, OutboxHandover {
  private readonly logger = new Logger(OutboxRelayHost.name);
  private readonly relay: OutboxRelay;
  private readonly direct: DirectPublishing;
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
    this.direct = new DirectPublishing(this.relay, source, {
      // Past the broker's own timeout for a publish, with room for the mark.
      graceMs: 2 * settings.brokerTimeoutMs,
      markDelayMs: DIRECT_MARK_DELAY_MS,
    });
  }

  get directGraceMs(): number {
    return this.direct.directGraceMs;
  }

  committed(messages: readonly OutboxMessage[], direct: boolean): void {
    this.direct.committed(messages, direct);
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
    await this.direct.drain();
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
