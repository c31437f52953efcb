import { InvalidOperationTransitionError } from '../errors/domain.errors';

/** The media actions of a call; each one is a Graph commsOperation subtype. */
export type MediaOperationKind =
  | 'playPrompt'
  | 'recordResponse'
  | 'subscribeToTone'
  | 'cancelMediaProcessing'
  | 'sendDtmfTones'
  | 'updateRecordingStatus';

/** Graph's operationStatus, as it travels on the wire. */
export type OperationStatus = 'notStarted' | 'running' | 'completed' | 'failed';

/** Graph's resultInfo: an HTTP-like code, a subcode and a message. */
export interface ResultInfo {
  readonly code: number;
  readonly subcode: number;
  readonly message: string;
}

/** Graph's recordCompletionReason. */
export type RecordCompletionReason =
  | 'operationCanceled'
  | 'stopToneDetected'
  | 'maxRecordDurationReached'
  | 'initialSilenceTimeout'
  | 'maxSilenceTimeout'
  | 'playPromptFailed'
  | 'playBeepFailed'
  | 'mediaReceiveTimeout'
  | 'unspecifiedError';

/**
 * Graph's sendDtmfCompletionReason
 * (https://learn.microsoft.com/en-us/graph/api/resources/senddtmftonesoperation).
 */
export type SendDtmfCompletionReason = 'completedSuccessfully' | 'mediaOperationCanceled' | 'unknown';

/**
 * Graph's playPromptCompletionReason (beta:
 * https://learn.microsoft.com/en-us/graph/api/resources/playpromptoperation?view=graph-rest-beta).
 */
export type PlayPromptCompletionReason = 'completedSuccessfully' | 'mediaOperationCanceled' | 'unknown';

/** The completionReason of the operations that have one: a recording's, a prompt's (beta) or a DTMF sequence's. */
export type CompletionReason = RecordCompletionReason | SendDtmfCompletionReason | PlayPromptCompletionReason;

/**
 * Graph's tone enum, as sendDtmfTones takes it and toneInfo reports it
 * (https://learn.microsoft.com/en-us/graph/api/resources/toneinfo).
 */
export const GRAPH_TONES = [
  'tone0',
  'tone1',
  'tone2',
  'tone3',
  'tone4',
  'tone5',
  'tone6',
  'tone7',
  'tone8',
  'tone9',
  'star',
  'pound',
  'a',
  'b',
  'c',
  'd',
  'flash',
] as const;
export type GraphTone = (typeof GRAPH_TONES)[number];

/** The DTMF keys of RFC 4733 (section 3.2), as a media plane reports them, by Graph's tone name. */
const KEY_TONES: Readonly<Record<string, GraphTone>> = {
  '0': 'tone0',
  '1': 'tone1',
  '2': 'tone2',
  '3': 'tone3',
  '4': 'tone4',
  '5': 'tone5',
  '6': 'tone6',
  '7': 'tone7',
  '8': 'tone8',
  '9': 'tone9',
  '*': 'star',
  '#': 'pound',
  A: 'a',
  B: 'b',
  C: 'c',
  D: 'd',
};

/** The DTMF key (RFC 4733 event) of a Graph tone name; undefined for `flash`, which has no key. */
export function dtmfKeyOf(tone: string): string | undefined {
  return Object.keys(KEY_TONES).find((key) => KEY_TONES[key] === tone);
}

/**
 * Graph's name of a tone a media plane reported: a key (`5`, `*`, `#`, `a`
 * or `A`) or already Graph's name (`tone5`, `star`, `flash`); null for
 * anything else.
 */
export function graphToneOf(reported: string): GraphTone | null {
  if ((GRAPH_TONES as readonly string[]).includes(reported)) return reported as GraphTone;
  return KEY_TONES[reported.toUpperCase()] ?? null;
}

/** Graph's recordingStatus, as updateRecordingStatus takes it. */
export type RecordingStatus = 'notRecording' | 'recording' | 'failed';

export const RESULT_COMPLETED: ResultInfo = { code: 200, subcode: 0, message: 'Action completed successfully.' };
/**
 * A recording that stopped at maxRecordDurationInSeconds, as Graph reports it
 * (https://learn.microsoft.com/en-us/graph/api/call-record, the completed
 * notification). Graph documents no subcode for the other completion
 * reasons, so those complete with RESULT_COMPLETED and say why in completionReason.
 */
export const RESULT_MAX_RECORD_DURATION: ResultInfo = {
  code: 200,
  subcode: 8515,
  message: 'Action completed, max record duration reached.',
};
/**
 * A recording with no speech within initialSilenceTimeoutInSeconds fails
 * (https://learn.microsoft.com/en-us/graph/api/call-record: "before we
 * timeout and fail the operation"). Graph's pages give it no code; this is
 * the one Microsoft's media stack gives it, as its Call Automation SDK names
 * it (azure-communication-callautomation ReasonCodeName
 * INITIAL_SILENCE_TIMEOUT = 8510, "Action failed, initial silence timeout reached.").
 */
export const RESULT_INITIAL_SILENCE_TIMEOUT: ResultInfo = {
  code: 400,
  subcode: 8510,
  message: 'Action failed, initial silence timeout reached.',
};
/**
 * An operation a media plane could not finish for a reason with no better
 * name: Microsoft's media stack's code for it (Azure/azure-sdk-for-java,
 * azure-communication-callautomation ReasonCodeName.UNSPECIFIED_ERROR = 9999).
 */
export const RESULT_UNSPECIFIED: ResultInfo = { code: 500, subcode: 9999, message: 'Unknown internal server error.' };
/** What Graph reports for an IVR operation ended by cancelMediaProcessing. */
export const RESULT_CANCELLED: ResultInfo = {
  code: 400,
  subcode: 8508,
  message: 'Action failed, the operation was cancelled.',
};
/** Graph documents no code for an operation ended by a hang-up; 410 (gone) says what happened. */
export const RESULT_CALL_TERMINATED: ResultInfo = {
  code: 410,
  subcode: 0,
  message: 'Action failed, the call was terminated.',
};

/** Graph's mediaPrompt with its mediaInfo. */
export interface MediaPrompt {
  readonly uri: string;
  readonly resourceId?: string;
}

export interface RecordParameters {
  readonly bargeInAllowed: boolean;
  readonly initialSilenceTimeoutInSeconds: number;
  readonly maxSilenceTimeoutInSeconds: number;
  readonly maxRecordDurationInSeconds: number;
  readonly playBeep: boolean;
  readonly stopTones: readonly string[];
}

/** sendDtmfTones: the tones to send toward the caller, in order, and the pause between two. */
export interface DtmfParameters {
  readonly tones: readonly GraphTone[];
  readonly delayBetweenTonesMs: number;
}

/**
 * What an operation was asked to do: prompts to play and, for a recording,
 * how to record; tones to send; the recording status the bot declared.
 */
export interface OperationParameters {
  readonly prompts?: readonly MediaPrompt[];
  /** playPrompt (beta): play the prompts again and again until cancelled or the call ends. */
  readonly loop?: boolean;
  readonly record?: RecordParameters;
  readonly dtmf?: DtmfParameters;
  readonly recordingStatus?: RecordingStatus;
}

/** An operation that a cancel ended, as the cancel operation reports it. */
export interface CancelledOperationRef {
  readonly id: string;
  readonly kind: MediaOperationKind;
  readonly clientContext: string | null;
  readonly previousStatus: OperationStatus;
  /**
   * How long it had played (or recorded) when it was stopped; 0 for one still
   * queued. Absent on cancels stored by releases that did not record it: unknown, not 0.
   */
  readonly playedDurationMs?: number;
  /**
   * A running recording the cancel asked to keep (this service's extension):
   * the media plane stops it and reports it completed with what it captured.
   */
  readonly recordingKept?: true;
}

/** An operation a selective cancel named that had already ended: it is reported, not cancelled. */
export interface NotCancelledOperationRef {
  readonly id: string;
  readonly status: OperationStatus;
}

export interface MediaOperationProps {
  readonly id: string;
  readonly callId: string;
  readonly kind: MediaOperationKind;
  readonly sequence: number;
  readonly clientContext: string | null;
  readonly parameters: OperationParameters;
  status: OperationStatus;
  resultInfo: ResultInfo | null;
  completionReason: CompletionReason | null;
  recordingLocation: string | null;
  recordingAccessToken: string | null;
  cancelledOperations: readonly CancelledOperationRef[] | null;
  notCancelledOperations: readonly NotCancelledOperationRef[] | null;
  /**
   * playPrompt and recordResponse, once ended: how long the media ran, from
   * its start to its end (0 if it never started). The media plane may refine
   * it later with what it actually played. Null for the other kinds.
   */
  playedDurationMs: number | null;
  readonly createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
}

/** Outcome of a recording as the media plane reports it. */
export interface RecordingOutcome {
  readonly completionReason: RecordCompletionReason;
  readonly recordingLocation: string | null;
  readonly recordingAccessToken: string | null;
}

const IVR_KINDS: ReadonlySet<MediaOperationKind> = new Set(['playPrompt', 'recordResponse']);

/** What a failure says for each kind that has a completionReason, unless the caller says why. */
const FAILURE_REASONS: Partial<Record<MediaOperationKind, CompletionReason>> = {
  playPrompt: 'unknown',
  recordResponse: 'unspecifiedError',
  sendDtmfTones: 'unknown',
};

/** What an operation's end by a cancel or by the call's end is called, by kind (Graph's enums). */
export function canceledReasonOf(kind: MediaOperationKind): CompletionReason | undefined {
  if (kind === 'recordResponse') return 'operationCanceled';
  return kind === 'playPrompt' || kind === 'sendDtmfTones' ? 'mediaOperationCanceled' : undefined;
}

/**
 * One media operation of a call. It only knows its own legal transitions;
 * the queue it stands in belongs to the Call aggregate.
 */
export class MediaOperation {
  private constructor(private readonly props: MediaOperationProps) {}

  static create(
    props: Omit<
      MediaOperationProps,
      | 'status'
      | 'resultInfo'
      | 'completionReason'
      | 'recordingLocation'
      | 'recordingAccessToken'
      | 'cancelledOperations'
      | 'notCancelledOperations'
      | 'playedDurationMs'
      | 'startedAt'
      | 'endedAt'
    >,
  ): MediaOperation {
    // Each field named, not `{ ...props, status: ... }`: keys written after a spread are slow on Node 20
    // (docs/performance.md, "No key after an object spread").
    return new MediaOperation({
      id: props.id,
      callId: props.callId,
      kind: props.kind,
      sequence: props.sequence,
      clientContext: props.clientContext,
      parameters: props.parameters,
      createdAt: props.createdAt,
      status: 'notStarted',
      resultInfo: null,
      completionReason: null,
      recordingLocation: null,
      recordingAccessToken: null,
      cancelledOperations: null,
      notCancelledOperations: null,
      playedDurationMs: null,
      startedAt: null,
      endedAt: null,
    });
  }

  static restore(props: MediaOperationProps): MediaOperation {
    return new MediaOperation({ ...props });
  }

  get id(): string {
    return this.props.id;
  }
  get kind(): MediaOperationKind {
    return this.props.kind;
  }
  get status(): OperationStatus {
    return this.props.status;
  }
  get sequence(): number {
    return this.props.sequence;
  }
  get clientContext(): string | null {
    return this.props.clientContext;
  }
  get parameters(): OperationParameters {
    return this.props.parameters;
  }

  /** How long its media has run by `now`: 0 before it started, frozen once it ended. */
  playedDurationAt(now: Date): number {
    if (this.props.playedDurationMs !== null) return this.props.playedDurationMs;
    return this.props.startedAt ? Math.max(0, now.getTime() - this.props.startedAt.getTime()) : 0;
  }

  /** playPrompt and recordResponse share one queue; tone subscription and cancel do not. */
  get isIvr(): boolean {
    return IVR_KINDS.has(this.props.kind);
  }

  get isDtmf(): boolean {
    return this.props.kind === 'sendDtmfTones';
  }

  /** Waits its turn in the call's media queue: the IVR operations and sendDtmfTones. */
  get isQueued(): boolean {
    return this.isIvr || this.isDtmf;
  }

  get isTerminal(): boolean {
    return this.props.status === 'completed' || this.props.status === 'failed';
  }

  /** A snapshot for persistence and serialization; callers cannot mutate the operation through it. */
  snapshot(): Readonly<MediaOperationProps> {
    return { ...this.props };
  }

  start(now: Date): void {
    this.expectStatus('running', 'notStarted');
    this.props.status = 'running';
    this.props.startedAt = now;
  }

  complete(now: Date, recording?: RecordingOutcome): void {
    // Graph: the initial silence timeout fails the operation, whatever a media plane called it.
    if (recording?.completionReason === 'initialSilenceTimeout') {
      return this.fail(RESULT_INITIAL_SILENCE_TIMEOUT, now, 'initialSilenceTimeout');
    }
    this.expectStatus('completed', 'running', 'notStarted');
    this.stopMedia(now);
    this.props.status = 'completed';
    this.props.resultInfo =
      recording?.completionReason === 'maxRecordDurationReached' ? RESULT_MAX_RECORD_DURATION : RESULT_COMPLETED;
    this.props.endedAt = now;
    if (this.props.kind === 'sendDtmfTones' || this.props.kind === 'playPrompt') {
      this.props.completionReason = 'completedSuccessfully';
    }
    if (recording) {
      this.props.completionReason = recording.completionReason;
      this.props.recordingLocation = recording.recordingLocation;
      this.props.recordingAccessToken = recording.recordingAccessToken;
    }
  }

  /**
   * For actions that finish within their own request (subscribeToTone,
   * cancelMediaProcessing, updateRecordingStatus): Graph answers those `completed` with resultInfo
   * null, and no notification follows.
   */
  completeImmediately(now: Date): void {
    this.expectStatus('completed', 'notStarted');
    this.props.status = 'completed';
    this.props.endedAt = now;
  }

  /**
   * Ends the operation as failed; a failed recording or DTMF sequence says
   * why (`completionReason`, defaulting to its kind's unspecified reason),
   * and a failed recording keeps no recording.
   */
  fail(resultInfo: ResultInfo, now: Date, completionReason?: CompletionReason): void {
    this.expectStatus('failed', 'running', 'notStarted');
    this.stopMedia(now);
    this.props.status = 'failed';
    this.props.resultInfo = resultInfo;
    this.props.endedAt = now;
    const unspecified = FAILURE_REASONS[this.props.kind];
    if (unspecified) this.props.completionReason = completionReason ?? unspecified;
    if (this.props.kind === 'recordResponse') {
      this.props.recordingLocation = '';
      this.props.recordingAccessToken = '';
    }
  }

  /** Records what a cancel operation ended (and what it was asked to end but found ended), for the answer. */
  recordCancelled(
    cancelled: readonly CancelledOperationRef[],
    notCancelled: readonly NotCancelledOperationRef[] | null = null,
  ): void {
    this.props.cancelledOperations = cancelled;
    this.props.notCancelledOperations = notCancelled;
  }

  private stopMedia(now: Date): void {
    if (this.isIvr) this.props.playedDurationMs = this.playedDurationAt(now);
  }

  private expectStatus(target: OperationStatus, ...allowed: OperationStatus[]): void {
    if (!allowed.includes(this.props.status)) {
      throw new InvalidOperationTransitionError(this.props.id, this.props.status, target);
    }
  }
}
