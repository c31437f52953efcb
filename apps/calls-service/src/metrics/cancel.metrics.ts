import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EventBus, ofType } from '@nestjs/cqrs';
import type { Subscription } from 'rxjs';
import { MediaProcessingCancelled } from '@calls/domain';
import { cancelEndedOperations } from '@calls/runtime';

/** How many operations each committed cancel ended (the queue it found), from the event the commit publishes. */
@Injectable()
export class CancelMetrics implements OnModuleInit, OnModuleDestroy {
  private subscription: Subscription | null = null;

  constructor(private readonly events: EventBus) {}

  onModuleInit(): void {
    this.subscription = this.events
      .pipe(ofType(MediaProcessingCancelled))
      .subscribe((event) => cancelEndedOperations.observe(event.cancelled.length));
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }
}
