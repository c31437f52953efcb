import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { Call, CALL_REPOSITORY, CallNotFoundError, ConcurrencyConflictError } from '@calls/domain';
import type { CallOwner, CallRepository } from '@calls/domain';
import {
  COMMAND_RECEIPTS,
  IDEMPOTENCY_SETTINGS,
  IdempotencyKeyReusedError,
  IdempotencyRequest,
  ReceiptRecordedError,
} from '../idempotency/idempotency.port';
import type { CommandReceipts, IdempotencySettings } from '../idempotency/idempotency.port';
import { carriedAnswerOf, decodeResult, encodeResult } from '../idempotency/receipt-result.codec';
import { AFTER_COMMIT } from './after-commit.port';
import type { AfterCommit } from './after-commit.port';
import { Clock } from './clock';

/** How often a command is replayed on a fresh copy of the call after an optimistic-lock conflict. */
export const MAX_CONFLICT_RETRIES = 5;

/**
 * The one way a command changes a call: load it, let the aggregate decide,
 * save it with its events in one transaction, and only after the commit
 * hand the events to the in-process bus and what the save wrote to the
 * after-commit port (publishing). A concurrent change makes the save
 * fail; the whole decision is then replayed on the fresh state, so no update
 * is lost and none is applied on stale data.
 */
@Injectable()
export class CallUnitOfWork {
  private readonly logger = new Logger(CallUnitOfWork.name);
  constructor(
    @Inject(CALL_REPOSITORY) private readonly calls: CallRepository,
    private readonly eventBus: EventBus,
    private readonly clock: Clock,
    @Inject(COMMAND_RECEIPTS) private readonly receipts: CommandReceipts,
    @Inject(IDEMPOTENCY_SETTINGS) private readonly idempotency: IdempotencySettings,
    // Absent where nothing publishes from this process (unit specs; a replica that runs no relay).
    @Optional() @Inject(AFTER_COMMIT) private readonly afterCommit?: AfterCommit,
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
    options: { inspect?: () => Promise<R>; idempotency?: IdempotencyRequest } = {},
  ): Promise<T> {
    return this.run(owner, options.idempotency, async (now) => {
      const call = await this.calls.findOwned(owner, callId);
      if (!call) throw new CallNotFoundError(callId);
      const inspected = (options.inspect ? await options.inspect() : undefined) as R;
      return { call, result: decide(call, now, inspected) };
    });
  }

  /** Changes any call: for reports of the media plane, which serves every owner (never keyed). */
  changeAny<T>(callId: string, decide: (call: Call, now: Date) => T): Promise<T> {
    return this.run(undefined, undefined, async (now) => {
      const call = await this.calls.findById(callId);
      if (!call) throw new CallNotFoundError(callId);
      return { call, result: decide(call, now) };
    });
  }

  /** Stores a new call and publishes its creation; `result` is what the command answers. */
  add<T>(
    owner: CallOwner,
    create: (now: Date) => Call,
    result: (call: Call) => T,
    idempotency?: IdempotencyRequest,
  ): Promise<T> {
    return this.run(owner, idempotency, async (now) => {
      const call = create(now);
      return { call, result: result(call) };
    });
  }

  /**
   * One decision with its retries: `attempt` loads (or creates) the call and
   * decides on it; a version conflict, or a receipt written meanwhile, starts
   * over on fresh state.
   */
  private async run<T>(
    owner: CallOwner | undefined,
    idempotency: IdempotencyRequest | undefined,
    attempt: (now: Date) => Promise<{ call: Call; result: T }>,
  ): Promise<T> {
    for (let round = 1; ; round++) {
      if (owner && idempotency) {
        const stored = await this.receipts.find(owner, idempotency.key, this.clock.now());
        if (stored) return this.replay<T>(idempotency, stored.fingerprint, stored.result);
      }
      const now = this.clock.now();
      const { call, result } = await attempt(now);
      try {
        await this.commit(call, owner && idempotency ? this.receipt(owner, idempotency, result, now) : undefined);
        return result;
      } catch (error) {
        const retried = error instanceof ConcurrencyConflictError || error instanceof ReceiptRecordedError;
        if (!retried) throw error;
        if (round >= MAX_CONFLICT_RETRIES) {
          // Rare by design (the call is contended this hard only by a loop or a bug in a client): say which call.
          this.logger.warn(`call ${call.id}: gave up after ${round} concurrent changes in a row (${error.message})`);
          throw error;
        }
      }
    }
  }

  private replay<T>(idempotency: IdempotencyRequest, fingerprint: string, result: unknown): T {
    if (fingerprint !== idempotency.fingerprint) throw new IdempotencyKeyReusedError(idempotency.key);
    idempotency.markReplayed();
    // Thrown, not returned: it is the whole HTTP answer, which the error filter sends as it was.
    const carried = carriedAnswerOf(result);
    if (carried) throw carried;
    return decodeResult<T>(result);
  }

  private receipt(owner: CallOwner, idempotency: IdempotencyRequest, result: unknown, now: Date) {
    return {
      owner,
      key: idempotency.key,
      fingerprint: idempotency.fingerprint,
      result: encodeResult(result),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.idempotency.ttlMs),
    };
  }

  private async commit(call: Call, receipt?: Parameters<CommandReceipts['saveWithReceipt']>[1]): Promise<void> {
    // A copy: uncommit() empties the array getUncommittedEvents() returns.
    const events = [...call.getUncommittedEvents()];
    // A decision that changed nothing (a late media report) costs no write and no version bump.
    if (!receipt && !call.hasChanges()) return;
    const saved = receipt ? await this.receipts.saveWithReceipt(call, receipt) : await this.calls.save(call);
    call.uncommit();
    if (events.length > 0) this.eventBus.publishAll(events);
    if (saved.messages.length > 0) this.afterCommit?.committed(saved);
  }
}
