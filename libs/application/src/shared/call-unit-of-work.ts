import { Inject, Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { Call, CALL_REPOSITORY, CallNotFoundError, ConcurrencyConflictError } from '@calls/domain';
import type { CallOwner, CallRepository } from '@calls/domain';
import { Clock } from './clock';

/** How often a command is replayed on a fresh copy of the call after an optimistic-lock conflict. */
export const MAX_CONFLICT_RETRIES = 5;

/**
 * The one way a command changes a call: load it, let the aggregate decide,
 * save it with its events in one transaction, and only after the commit
 * hand the events to the in-process bus. A concurrent change makes the save
 * fail; the whole decision is then replayed on the fresh state, so no update
 * is lost and none is applied on stale data.
 */
@Injectable()
export class CallUnitOfWork {
  constructor(
    @Inject(CALL_REPOSITORY) private readonly calls: CallRepository,
    private readonly eventBus: EventBus,
    private readonly clock: Clock,
  ) {}

  /**
   * Changes a call the owner can see; another owner's call is not found.
   * `inspect`, when given, reads what else the decision needs, after each
   * load: what it finds ended was ended before that load, so it cannot
   * contradict the call as loaded.
   */
  changeOwned<T, R = undefined>(
    owner: CallOwner,
    callId: string,
    decide: (call: Call, now: Date, inspected: R) => T,
    inspect?: () => Promise<R>,
  ): Promise<T> {
    return this.change(() => this.calls.findOwned(owner, callId), callId, decide, inspect);
  }

  /** Changes any call: for reports of the media plane, which serves every owner. */
  changeAny<T>(callId: string, decide: (call: Call, now: Date) => T): Promise<T> {
    return this.change(() => this.calls.findById(callId), callId, decide);
  }

  /** Stores a new call and publishes its creation. */
  async add(create: (now: Date) => Call): Promise<Call> {
    const call = create(this.clock.now());
    await this.commit(call);
    return call;
  }

  private async change<T, R>(
    load: () => Promise<Call | null>,
    callId: string,
    decide: (call: Call, now: Date, inspected: R) => T,
    inspect?: () => Promise<R>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const call = await load();
      if (!call) throw new CallNotFoundError(callId);
      const inspected = (inspect ? await inspect() : undefined) as R;
      const result = decide(call, this.clock.now(), inspected);
      try {
        await this.commit(call);
        return result;
      } catch (error) {
        if (!(error instanceof ConcurrencyConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw error;
      }
    }
  }

  private async commit(call: Call): Promise<void> {
    // A copy: uncommit() empties the array getUncommittedEvents() returns.
    const events = [...call.getUncommittedEvents()];
    // A decision that changed nothing (a late media report) costs no write and no version bump.
    if (!call.hasChanges()) return;
    await this.calls.save(call);
    call.uncommit();
    if (events.length > 0) this.eventBus.publishAll(events);
  }
}
