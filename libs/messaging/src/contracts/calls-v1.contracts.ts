/**
 * The integration events this service publishes: its public, versioned
 * contract with subscribers (media plane, notifier, analytics). They are
 * written for subscribers and change only by adding a version; the domain
 * events they come from may change freely. Every event carries the call's
 * owner and callbackUri, so a subscriber needs no state to act on it.
 * `asyncapi.yaml` beside this file documents them; a test keeps the two equal.
 */

export const CALLS_V1 = {
  callCreated: 'calls.v1.call.created',
  callEstablished: 'calls.v1.call.established',
  callTerminated: 'calls.v1.call.terminated',
  mediaOperationQueued: 'calls.v1.mediaOperation.queued',
  mediaOperationStarted: 'calls.v1.mediaOperation.started',
  mediaOperationEnded: 'calls.v1.mediaOperation.ended',
  mediaProcessingCancelled: 'calls.v1.mediaProcessing.cancelled',
  toneReceived: 'calls.v1.tone.received',
} as const;

export type CallsV1Type = (typeof CALLS_V1)[keyof typeof CALLS_V1];

/** What a media plane acts on: calls to connect, operations to play or stop, calls that ended. */
export const MEDIA_PLANE_EVENTS: readonly CallsV1Type[] = [
  CALLS_V1.callCreated,
  CALLS_V1.mediaOperationStarted,
  CALLS_V1.mediaOperationEnded,
  CALLS_V1.mediaProcessingCancelled,
  CALLS_V1.callTerminated,
];

export const ALL_CALLS_V1_TYPES: readonly CallsV1Type[] = Object.values(CALLS_V1);

/** Common to every event's data. */
export interface CallRef {
  readonly callId: string;
  readonly tenantId: string;
  readonly appId: string;
  readonly callbackUri: string;
}

export interface CallCreatedV1 extends CallRef {
  readonly state: 'establishing';
  /** Graph's call direction (added in v1 as an optional field: older events lack it). */
  readonly direction?: 'incoming' | 'outgoing';
}

export interface CallEstablishedV1 extends CallRef {
  readonly state: 'established';
  /** Graph's call direction (added in v1 as an optional field: older events lack it). */
  readonly direction?: 'incoming' | 'outgoing';
}

export interface CallTerminatedV1 extends CallRef {
  readonly state: 'terminated';
  readonly previousState: string;
  /** Why it ended, as Graph's call end reason (added in v1 as an optional field: older events lack it). */
  readonly resultInfo?: { readonly code: number; readonly subcode: number; readonly message: string };
}

export interface MediaOperationQueuedV1 extends CallRef {
  readonly operationId: string;
  readonly kind: string;
}

/** What the media plane must play (and, for a recording, how to record). */
export interface MediaOperationStartedV1 extends CallRef {
  readonly operation: {
    readonly id: string;
    readonly kind: string;
    readonly clientContext: string | null;
    readonly prompts: readonly { readonly uri: string; readonly resourceId?: string }[];
    readonly record: Readonly<Record<string, unknown>> | null;
    /**
     * sendDtmfTones only: Graph's tone names to send toward the caller, in
     * order, and the pause between two (added in v1 as an optional field).
     */
    readonly dtmf?: { readonly tones: readonly string[]; readonly delayBetweenTonesMs: number } | null;
    /** playPrompt (Graph beta) only, and only when true: play until stopped (added in v1 as an optional field). */
    readonly loop?: true;
  };
}

/**
 * An ended operation in the shape of Graph's commsOperation subtypes, which
 * the notifier hands to bots as is. Written by `toOperationV1`, never by the
 * HTTP serializer. The optional fields belong to some kinds only.
 */
export interface OperationV1 {
  readonly '@odata.type':
    | '#microsoft.graph.playPromptOperation'
    | '#microsoft.graph.recordOperation'
    | '#microsoft.graph.subscribeToToneOperation'
    | '#microsoft.graph.cancelMediaProcessingOperation'
    | '#microsoft.graph.sendDtmfTonesOperation'
    | '#microsoft.graph.updateRecordingStatusOperation';
  readonly id: string;
  readonly status: 'notStarted' | 'running' | 'completed' | 'failed';
  readonly clientContext: string | null;
  readonly resultInfo: {
    readonly '@odata.type': '#microsoft.graph.resultInfo';
    readonly code: number;
    readonly subcode: number;
    readonly message: string;
  } | null;
  /** recordResponse and sendDtmfTones only. */
  readonly completionReason?: string | null;
  readonly recordingLocation?: string | null;
  readonly recordingAccessToken?: string | null;
  /** playPrompt and recordResponse: how long the media ran (ISO 8601 duration). Added in v1 as optional. */
  readonly playedDuration?: string;
  /** cancelMediaProcessing only. */
  readonly cancelledOperations?: readonly {
    readonly '@odata.type': string;
    readonly id: string;
    readonly clientContext: string | null;
    readonly previousStatus: string;
    /** Absent only for a cancel stored by a release that did not record it. */
    readonly playedDuration?: string;
  }[];
  readonly notCancelledOperations?: readonly { readonly id: string; readonly status: string }[];
}

/** The operation's final body. */
export interface MediaOperationEndedV1 extends CallRef {
  readonly operation: OperationV1;
}

export interface MediaProcessingCancelledV1 extends CallRef {
  readonly cancelOperation: { readonly id: string; readonly clientContext: string | null };
  readonly cancelledOperations: readonly {
    readonly id: string;
    readonly kind: string;
    readonly clientContext: string | null;
    readonly previousStatus: string;
    /** Milliseconds it had played or recorded when stopped (added in v1 as an optional field). */
    readonly playedDurationMs?: number;
    /**
     * A running recording to stop and keep (`recordings: "keep"`): the media
     * plane reports it completed, `operationCanceled`, with what it captured
     * (added in v1 as an optional field, present only when true).
     */
    readonly recordingKept?: true;
  }[];
}

/** Graph's toneInfo. */
export interface ToneReceivedV1 extends CallRef {
  readonly toneInfo: { readonly sequenceId: number; readonly tone: string };
}

export type CallsV1Data =
  | CallCreatedV1
  | CallEstablishedV1
  | CallTerminatedV1
  | MediaOperationQueuedV1
  | MediaOperationStartedV1
  | MediaOperationEndedV1
  | MediaProcessingCancelledV1
  | ToneReceivedV1;

/** An integration event before it is wrapped as a CloudEvent. */
export interface IntegrationEvent {
  readonly type: CallsV1Type;
  readonly callId: string;
  readonly occurredAt: Date;
  readonly data: CallsV1Data;
}
