import { InvalidOperationTransitionError } from '../errors/domain.errors';

/** The media actions of a call; each one is a Graph commsOperation subtype. */
export type MediaOperationKind = 'playPrompt' | 'recordResponse' | 'subscribeToTone' | 'cancelMediaProcessing';

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

export const RESULT_COMPLETED: ResultInfo = { code: 200, subcode: 0, message: 'Action completed successfully.' };
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

/** What an operation was asked to do: prompts to play and, for a recording, how to record. */
export interface OperationParameters {
  readonly prompts?: readonly MediaPrompt[];
  readonly record?: RecordParameters;
}

/** An operation that a cancel ended, as the cancel operation reports it. */
export interface CancelledOperationRef {
  readonly id: string;
  readonly kind: MediaOperationKind;
  readonly clientContext: string | null;
  readonly previousStatus: OperationStatus;
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
  completionReason: RecordCompletionReason | null;
  recordingLocation: string | null;
  recordingAccessToken: string | null;
  cancelledOperations: readonly CancelledOperationRef[] | null;
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
      | 'startedAt'
      | 'endedAt'
    >,
  ): MediaOperation {
    return new MediaOperation({
      ...props,
      status: 'notStarted',
      resultInfo: null,
      completionReason: null,
      recordingLocation: null,
      recordingAccessToken: null,
      cancelledOperations: null,
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

  /** playPrompt and recordResponse share one queue; tone subscription and cancel do not. */
  get isIvr(): boolean {
    return IVR_KINDS.has(this.props.kind);
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
    this.expectStatus('completed', 'running', 'notStarted');
    this.props.status = 'completed';
    this.props.resultInfo = RESULT_COMPLETED;
    this.props.endedAt = now;
    if (recording) {
      this.props.completionReason = recording.completionReason;
      this.props.recordingLocation = recording.recordingLocation;
      this.props.recordingAccessToken = recording.recordingAccessToken;
    }
  }

  /**
   * For actions that finish within their own request (subscribeToTone,
   * cancelMediaProcessing): Graph answers those `completed` with resultInfo
   * null, and no notification follows.
   */
  completeImmediately(now: Date): void {
    this.expectStatus('completed', 'notStarted');
    this.props.status = 'completed';
    this.props.endedAt = now;
  }

  /** Ends the operation as failed; a failed recording says why and keeps no recording. */
  fail(resultInfo: ResultInfo, now: Date, completionReason: RecordCompletionReason = 'unspecifiedError'): void {
    this.expectStatus('failed', 'running', 'notStarted');
    this.props.status = 'failed';
    this.props.resultInfo = resultInfo;
    this.props.endedAt = now;
    if (this.props.kind === 'recordResponse') {
      this.props.completionReason = completionReason;
      this.props.recordingLocation = '';
      this.props.recordingAccessToken = '';
    }
  }

  /** Records what a cancel operation ended, so the caller learns it from the answer. */
  recordCancelled(cancelled: readonly CancelledOperationRef[]): void {
    this.props.cancelledOperations = cancelled;
  }

  private expectStatus(target: OperationStatus, ...allowed: OperationStatus[]): void {
    if (!allowed.includes(this.props.status)) {
      throw new InvalidOperationTransitionError(this.props.id, this.props.status, target);
    }
  }
}
