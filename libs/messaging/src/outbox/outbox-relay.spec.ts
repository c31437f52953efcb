import { OutboxMessage } from '../contracts/cloud-event';
import type { CallsCloudEvent } from '../contracts/cloud-event';
import { testOutboxMessage } from '../testing/outbox-message.fixture';
import { OutboxRelay } from './outbox-relay';
import type { IntegrationEventPublisher, OutboxSource } from './outbox.ports';

/** An outbox in memory: rows appended as requests commit, claimed oldest first. */
class MemoryOutbox implements OutboxSource {
  readonly pending: OutboxMessage[] = [];
  readonly claims: number[] = [];
  /** Every look, also those that found nothing. */
  looks = 0;

  add(id: string): void {
    this.pending.push(testOutboxMessage(id));
  }

  /** Direct publishing's mark (outbox-publishing.spec.ts); the relay never calls it. */
  async markPublished(): Promise<void> {
    throw new Error('the relay marks through publishNext');
  }

  /** Direct publishing's release (outbox-publishing.spec.ts); the relay never calls it. */
  async releaseHeld(): Promise<void> {
    throw new Error('the relay never holds rows');
  }

  async publishNext(limit: number, publish: (messages: readonly OutboxMessage[]) => Promise<void>): Promise<number> {
    this.looks += 1;
    const batch = this.pending.slice(0, limit);
    if (batch.length === 0) return 0;
    this.claims.push(batch.length);
    await publish(batch);
    this.pending.splice(0, batch.length);
    return batch.length;
  }

  async prunePublished(): Promise<number> {
    return 0;
  }
}

const publisher = (published: CallsCloudEvent[]): IntegrationEventPublisher => ({
  publish: async (events) => void published.push(...events),
  close: async () => undefined,
});

const waitFor = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
};

/** A relay over `outbox` that records what it publishes, polling only once a minute (wakes drive it). */
function startRelay(outbox: MemoryOutbox, lingerMs?: number): { relay: OutboxRelay; published: CallsCloudEvent[] } {
  const published: CallsCloudEvent[] = [];
  const relay = new OutboxRelay(outbox, publisher(published), {
    batchSize: 100,
    pollIntervalMs: 60_000,
    maxBackoffMs: 1000,
    lingerMs,
  });
  relay.start();
  return { relay, published };
}

describe(OutboxRelay.name, () => {
  it('waits lingerMs once woken, so the events of requests that commit meanwhile go in one claim', async () => {
    const outbox = new MemoryOutbox();
    // A linger far longer than the gaps below, so a slow machine cannot split the batch.
    const { relay, published } = startRelay(outbox, 300);
    // The first round (at start) looked and found nothing; the relay now pauses until woken.
    await waitFor(() => outbox.looks === 1);
    for (const id of ['e1', 'e2', 'e3']) {
      outbox.add(id);
      relay.wake();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await waitFor(() => published.length === 3);
    await relay.stop();
    expect(published.map((event) => event.id)).toEqual(['e1', 'e2', 'e3']);
    expect(outbox.claims).toEqual([3]);
  });

  it('claims at once with no linger: each wake its own claim when requests are spread out', async () => {
    const outbox = new MemoryOutbox();
    const { relay, published } = startRelay(outbox);
    for (const id of ['e1', 'e2']) {
      outbox.add(id);
      relay.wake();
      await waitFor(() => published.length === Number(id.slice(1)));
    }
    await relay.stop();
    expect(outbox.claims).toEqual([1, 1]);
  });
});
