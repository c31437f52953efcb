import type { CallState, CallOwner } from './call.values';
import type { CancelledOperationRef, MediaOperationKind, MediaOperationProps, ResultInfo } from './media-operation';

/**
 * Domain events of the Call aggregate: past tense, plain data, no behaviour.
 * The outbox stores them by `eventName`; integration contracts are derived
 * from them elsewhere, so renaming a field here never breaks a subscriber.
 */
export abstract class CallEvent {
  abstract readonly eventName: string;
  constructor(
    readonly callId: string,
    readonly owner: CallOwner,
    readonly occurredAt: Date,
  ) {}
}

export class CallCreated extends CallEvent {
  readonly eventName = 'CallCreated';
  constructor(
    callId: string,
    owner: CallOwner,
    occurredAt: Date,
    readonly callbackUri: string,
    readonly direction: 'incoming' | 'outgoing',
  ) {
    super(callId, owner, occurredAt);
  }
}

export class CallEstablished extends CallEvent {
  readonly eventName = 'CallEstablished';
  constructor(
    callId: string,
    owner: CallOwner,
    occurredAt: Date,
    readonly direction: 'incoming' | 'outgoing',
  ) {
    super(callId, owner, occurredAt);
  }
}

export class CallTerminated extends CallEvent {
  readonly eventName = 'CallTerminated';
  constructor(
    callId: string,
    owner: CallOwner,
    occurredAt: Date,
    readonly previousState: CallState,
    /** Why it ended (hung up by the bot, keepAlive timeout). */
    readonly resultInfo: ResultInfo,
  ) {
    super(callId, owner, occurredAt);
  }
}

export class MediaOperationQueued extends CallEvent {
  readonly eventName = 'MediaOperationQueued';
  constructor(
    callId: string,
    owner: CallOwner,
    occurredAt: Date,
    readonly operationId: string,
    readonly kind: MediaOperationKind,
  ) {
    super(callId, owner, occurredAt);
  }
}

/** The media plane should now play (and, for a recording, record) this operation. */
export class MediaOperationStarted extends CallEvent {
  readonly eventName = 'MediaOperationStarted';
  constructor(
    callId: string,
    owner: CallOwner,
    occurredAt: Date,
    readonly operation: Readonly<MediaOperationProps>,
  ) {
    super(callId, owner, occurredAt);
  }
}

/** An operation reached completed or failed; `operation` is its final state. */
export class MediaOperationEnded extends CallEvent {
  readonly eventName = 'MediaOperationEnded';
  constructor(
    callId: string,
    owner: CallOwner,
    occurredAt: Date,
    readonly operation: Readonly<MediaOperationProps>,
  ) {
    super(callId, owner, occurredAt);
  }
}

export class MediaProcessingCancelled extends CallEvent {
  readonly eventName = 'MediaProcessingCancelled';
  constructor(
    callId: string,
    owner: CallOwner,
    occurredAt: Date,
    readonly cancelOperationId: string,
    readonly clientContext: string | null,
    readonly cancelled: readonly CancelledOperationRef[],
  ) {
    super(callId, owner, occurredAt);
  }
}

/** A DTMF tone heard on a call subscribed to tones (Graph's toneInfo). */
export class ToneReceived extends CallEvent {
  readonly eventName = 'ToneReceived';
  constructor(
    callId: string,
    owner: CallOwner,
    occurredAt: Date,
    readonly sequenceId: number,
    readonly tone: string,
  ) {
    super(callId, owner, occurredAt);
  }
}
