import { Call, ConcurrencyConflictError, MediaOperation, NO_EVENTS_SAVED, sameOwner } from '@calls/domain';
import { ReceiptRecordedError } from '../idempotency/idempotency.port';
import type { CommandReceipt, CommandReceipts, StoredReceipt } from '../idempotency/idempotency.port';
import type {
  CallEvent,
  CallOwner,
  CallProps,
  CallRepository,
  MediaOperationProps,
  OperationStatus,
  SavedEvents,
} from '@calls/domain';

const receiptKey = (owner: CallOwner, key: string) => `${owner.tenantId}/${owner.appId}/${key}`;

/**
 * The repository port (and the command receipts written with it) in memory, for unit specs of handlers. It copies on
 * every load and save, and checks versions, so it behaves like storage:
 * a handler that forgets to save, or saves stale state, is caught.
 */
export class InMemoryCallRepository implements CallRepository, CommandReceipts {
  private readonly calls = new Map<string, CallProps>();
  private readonly operations = new Map<string, MediaOperationProps>();
  readonly outbox: CallEvent[] = [];
  readonly receipts = new Map<string, CommandReceipt>();
  saves = 0;

  async findOwned(owner: CallOwner, callId: string): Promise<Call | null> {
    const call = await this.findById(callId);
    return call && sameOwner(call.owner, owner) ? call : null;
  }

  async findById(callId: string): Promise<Call | null> {
    const props = this.calls.get(callId);
    if (!props) return null;
    const active = [...this.operations.values()]
      .filter((op) => op.callId === callId && (op.status === 'notStarted' || op.status === 'running'))
      .map((op) => MediaOperation.restore(structuredClone(op)));
    return Call.restore(structuredClone(props), active);
  }

  async findOperation(owner: CallOwner, callId: string, operationId: string): Promise<MediaOperationProps | null> {
    const op = this.operations.get(operationId);
    const call = this.calls.get(callId);
    return op && call && op.callId === callId && sameOwner(call.owner, owner) ? structuredClone(op) : null;
  }

  async listOperations(
    owner: CallOwner,
    callId: string,
    page: { afterSequence: number; limit: number },
  ): Promise<MediaOperationProps[] | null> {
    const call = this.calls.get(callId);
    if (!call || !sameOwner(call.owner, owner)) return null;
    return [...this.operations.values()]
      .filter((op) => op.callId === callId && op.sequence > page.afterSequence)
      .sort((a, b) => a.sequence - b.sequence)
      .slice(0, page.limit)
      .map((op) => structuredClone(op));
  }

  async operationStatuses(callId: string, operationIds: readonly string[]): Promise<Map<string, OperationStatus>> {
    const found = operationIds.map((id) => this.operations.get(id)).filter((op) => op?.callId === callId);
    return new Map(found.map((op) => [op!.id, op!.status]));
  }

  async findPastKeepAlive(now: Date, limit: number): Promise<string[]> {
    return [...this.calls.values()]
      .filter((call) => call.state !== 'terminated' && call.keepAliveDeadline.getTime() <= now.getTime())
      .sort((a, b) => a.keepAliveDeadline.getTime() - b.keepAliveDeadline.getTime())
      .slice(0, limit)
      .map((call) => call.id);
  }

  async pruneEnded(endedBefore: Date, limit: number): Promise<number> {
    const ended = [...this.calls.values()]
      .filter((call) => call.state === 'terminated' && call.updatedAt.getTime() <= endedBefore.getTime())
      .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime())
      .slice(0, limit);
    for (const call of ended) {
      this.calls.delete(call.id);
      for (const [id, op] of this.operations) if (op.callId === call.id) this.operations.delete(id);
    }
    return ended.length;
  }

  async recordPlayedDuration(callId: string, operationId: string, playedDurationMs: number): Promise<boolean> {
    const op = this.operations.get(operationId);
    if (!op || op.callId !== callId || op.playedDurationMs === null) return false;
    this.operations.set(operationId, { ...op, playedDurationMs });
    return true;
  }

  async find(owner: CallOwner, key: string, now: Date): Promise<StoredReceipt | null> {
    const receipt = this.receipts.get(receiptKey(owner, key));
    return receipt && receipt.expiresAt > now ? structuredClone(receipt) : null;
  }

  async saveWithReceipt(call: Call, receipt: CommandReceipt): Promise<SavedEvents> {
    const existing = this.receipts.get(receiptKey(receipt.owner, receipt.key));
    if (existing && existing.expiresAt > receipt.createdAt) throw new ReceiptRecordedError(receipt.key);
    const saved = call.hasChanges() ? await this.save(call) : NO_EVENTS_SAVED;
    this.receipts.set(receiptKey(receipt.owner, receipt.key), structuredClone(receipt));
    return saved;
  }

  async pruneExpired(now: Date, limit: number): Promise<number> {
    const expired = [...this.receipts].filter(([, receipt]) => receipt.expiresAt <= now).slice(0, limit);
    for (const [key] of expired) this.receipts.delete(key);
    return expired.length;
  }

  /** Its events are the domain events themselves, never held: nothing here publishes them. */
  async save(call: Call): Promise<SavedEvents> {
    const props = call.snapshot();
    const stored = this.calls.get(props.id);
    if ((stored?.version ?? 0) !== props.version) throw new ConcurrencyConflictError(props.id);
    this.saves += 1;
    this.calls.set(props.id, structuredClone({ ...props, version: props.version + 1 }));
    for (const op of call.changedOperations()) this.operations.set(op.id, structuredClone(op.snapshot()));
    const events = call.getUncommittedEvents();
    this.outbox.push(...events);
    call.markPersisted();
    return { messages: [...events], held: false };
  }

  /** Simulates another writer changing the call behind the handler's back. */
  bumpVersion(callId: string): void {
    const props = this.calls.get(callId)!;
    this.calls.set(callId, { ...props, version: props.version + 1 });
  }
}
