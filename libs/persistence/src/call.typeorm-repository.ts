import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NO_EVENTS_SAVED } from '@calls/domain';
import type { Call, CallOwner, CallRepository, MediaOperationProps, OperationStatus, SavedEvents } from '@calls/domain';
import type { CommandReceipt, CommandReceipts, StoredReceipt } from '@calls/application';
import { OUTBOX_HOLD } from '@calls/messaging';
import type { OutboxHold } from '@calls/messaging';
import { traceContextOf } from '@calls/runtime';
import { CallPostgresStore } from './call.postgres-store';
import { CallReadSide } from './call.read-side';
import { outboxRow, receiptRow } from './call.rows';
import { CallSqliteStore } from './call.sqlite-store';
import type { CallStore } from './call.store';
import { toMessage } from './outbox.typeorm-source';
import { SqlDialect } from './schema/dialect';

/**
 * The CallRepository and CommandReceipts ports on a TypeORM data source: a
 * command's load and save on the dialect's store (call.postgres-store.ts,
 * call.sqlite-store.ts), everything else on the read side
 * (call.read-side.ts). A save turns the call's events into outbox rows,
 * written with the call, and answers them for the after-commit port.
 */
@Injectable()
export class CallTypeormRepository implements CallRepository, CommandReceipts {
  private readonly store: CallStore;
  private readonly reads: CallReadSide;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    // How long this process's saves hold their rows for it to publish (messaging's outbox-publishing.ts);
    // absent where this process publishes nothing itself.
    @Optional() @Inject(OUTBOX_HOLD) hold?: OutboxHold,
  ) {
    this.store =
      SqlDialect.of(dataSource).kind === 'postgres'
        ? new CallPostgresStore(dataSource, hold)
        : new CallSqliteStore(dataSource);
    this.reads = new CallReadSide(dataSource);
  }

  findOwned(owner: CallOwner, callId: string): Promise<Call | null> {
    return this.store.load(callId, owner);
  }

  findById(callId: string): Promise<Call | null> {
    return this.store.load(callId);
  }

  save(call: Call): Promise<SavedEvents> {
    return this.write(call);
  }

  saveWithReceipt(call: Call, receipt: CommandReceipt): Promise<SavedEvents> {
    return this.write(call, receipt);
  }

  private async write(call: Call, receipt?: CommandReceipt): Promise<SavedEvents> {
    // One copy of the call's state for the whole save (a snapshot copies it).
    const props = call.snapshot();
    const trace = traceContextOf();
    const events = call.getUncommittedEvents().map((event) => outboxRow(event, props.description.callbackUri, trace));
    const held = await this.store.write(call, props, events, receipt && receiptRow(receipt));
    return events.length > 0 ? { messages: events.map(toMessage), held } : NO_EVENTS_SAVED;
  }

  findOperation(owner: CallOwner, callId: string, operationId: string): Promise<MediaOperationProps | null> {
    return this.reads.findOperation(owner, callId, operationId);
  }

  listOperations(
    owner: CallOwner,
    callId: string,
    page: { afterSequence: number; limit: number },
  ): Promise<MediaOperationProps[] | null> {
    return this.reads.listOperations(owner, callId, page);
  }

  operationStatuses(callId: string, operationIds: readonly string[]): Promise<Map<string, OperationStatus>> {
    return this.reads.operationStatuses(callId, operationIds);
  }

  findPastKeepAlive(now: Date, limit: number): Promise<string[]> {
    return this.reads.findPastKeepAlive(now, limit);
  }

  pruneEnded(endedBefore: Date, limit: number): Promise<number> {
    return this.reads.pruneEnded(endedBefore, limit);
  }

  recordPlayedDuration(callId: string, operationId: string, playedDurationMs: number): Promise<boolean> {
    return this.reads.recordPlayedDuration(callId, operationId, playedDurationMs);
  }

  find(owner: CallOwner, key: string, now: Date): Promise<StoredReceipt | null> {
    return this.reads.findReceipt(owner, key, now);
  }

  pruneExpired(now: Date, limit: number): Promise<number> {
    return this.reads.pruneExpiredReceipts(now, limit);
  }
}
