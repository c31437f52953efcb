import type { CallsCloudEvent } from '../contracts/cloud-event';
import type { IntegrationEventPublisher } from './outbox.ports';

export type InProcessSubscriber = (events: readonly CallsCloudEvent[]) => Promise<void>;

/**
 * The embedded default's "broker": hands each batch to the subscribers
 * registered in this process (the notifier) and resolves once each has
 * durably taken it. Without subscribers a batch is simply done.
 */
export class InProcessPublisher implements IntegrationEventPublisher {
  private readonly subscribers: InProcessSubscriber[] = [];

  subscribe(subscriber: InProcessSubscriber): void {
    this.subscribers.push(subscriber);
  }

  async publish(events: readonly CallsCloudEvent[]): Promise<void> {
    for (const subscriber of this.subscribers) await subscriber(events);
  }

  async close(): Promise<void> {}
}
