import { AggregateRoot } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { CallNotFoundError } from '../errors/domain.errors';
import { selectForCancel } from './cancel-selection';
import {
  CallCreated,
  CallEstablished,
  CallEvent,
  CallTerminated,
  MediaOperationEnded,
  MediaOperationQueued,
  MediaOperationStarted,
  MediaProcessingCancelled,
  ToneReceived,
} from './call.events';
import {
  CancelSelection,
  DEFAULT_KEEPALIVE_TIMEOUT_MS,
  RESULT_HUNG_UP_BY_BOT,
  RESULT_KEEPALIVE_TIMEOUT,
  RESULT_MEDIA_CONNECTIVITY_FAILURE,
  RESULT_PEER_LEFT,
} from './call.values';
import type { CallDescription, CallOwner, CallState } from './call.values';
import {
  CancelledOperationRef,
  MediaOperation,
  MediaOperationKind,
  canceledReasonOf,
  CompletionReason,
  DtmfParameters,
  GraphTone,
  graphToneOf,
  MediaPrompt,
  OperationParameters,
  RecordParameters,
  RecordingStatus,
  RecordingOutcome,
  RESULT_CALL_TERMINATED,
  RESULT_CANCELLED,
  ResultInfo,
} from './media-operation';

export interface CallProps {
  readonly id: string;
  readonly owner: CallOwner;
  readonly description: CallDescription;
  readonly myParticipantId: string;
  state: CallState;
  /** Last sequence number handed to an operation: the queue order. */
  operationSequence: number;
  /** Whether subscribeToTone was called: only then are tones reported (Graph's toneInfo). */
  toneSubscribed: boolean;
  /** Graph's toneInfo.sequenceId of the last tone reported. */
  toneSequence: number;
  /** Graph's toneInfo.tone of the last tone reported, by Graph's name (`tone5`, `pound`); null before any. */
  lastTone: GraphTone | null;
  /** The call ends on its own when no keepAlive arrives before this (Graph: 45 minutes after the last). */
  keepAliveDeadline: Date;
  /** Why the call ended, once terminated (Graph's call end reason codes). */
  resultInfo: ResultInfo | null;
  /** Optimistic concurrency token, as loaded from storage. */
  version: number;
  readonly createdAt: Date;
  updatedAt: Date;
}

/**
 * The Call aggregate: it owns the call's state and its queue of media
 * operations. playPrompt, recordResponse and sendDtmfTones run one at a
 * time, in the order they were asked for (all three are media toward or
 * from the caller on one stream); subscribeToTone, cancelMediaProcessing and
 * updateRecordingStatus complete at once and never wait in that queue.
 *
 * Only the operations that may still change (queued or running) are loaded
 * with the call, so the cost of a command does not grow with a call's history.
 */
export class Call extends AggregateRoot<CallEvent> {
  private readonly changed = new Map<string, MediaOperation>();
  /** Of those, the ones created since the call was loaded: stored whole, where the rest store only what changed. */
  private readonly created = new Set<string>();
  /** Whether the call's own state changed since it was loaded (a keepAlive changes it without an event). */
  private touched = false;

  private constructor(
    private readonly props: CallProps,
    private readonly active: MediaOperation[],
  ) {
    super();
  }

  static create(
    owner: CallOwner,
    description: CallDescription,
    now: Date,
    keepAliveTimeoutMs = DEFAULT_KEEPALIVE_TIMEOUT_MS,
  ): Call {
    const call = new Call(
      {
        id: randomUUID(),
        owner,
        description,
        myParticipantId: randomUUID(),
        state: 'establishing',
        operationSequence: 0,
        toneSubscribed: false,
        toneSequence: 0,
        lastTone: null,
        keepAliveDeadline: new Date(now.getTime() + keepAliveTimeoutMs),
        resultInfo: null,
        version: 0,
        createdAt: now,
        updatedAt: now,
      },
      [],
    );
    call.apply(new CallCreated(call.id, owner, now, description.callbackUri, description.direction));
    return call;
  }

  /** Rebuilds a call from storage with its queued and running operations. */
  static restore(props: CallProps, activeOperations: MediaOperation[]): Call {
    const ordered = [...activeOperations].sort((a, b) => a.sequence - b.sequence);
    return new Call({ ...props }, ordered);
  }

  get id(): string {
    return this.props.id;
  }
  get owner(): CallOwner {
    return this.props.owner;
  }
  get state(): CallState {
    return this.props.state;
  }
  get version(): number {
    return this.props.version;
  }

  snapshot(): Readonly<CallProps> {
    return { ...this.props };
  }

  /** The queued and running media operations (playPrompt, recordResponse, sendDtmfTones), head first. */
  queue(): readonly MediaOperation[] {
    return this.active.filter((op) => op.isQueued && !op.isTerminal);
  }

  /** Of the queue, what a cancel or a barge-in may end: Graph's IVR operations, playPrompt and recordResponse. */
  private ivrQueue(): readonly MediaOperation[] {
    return this.active.filter((op) => op.isIvr && !op.isTerminal);
  }

  /** Operations created or changed since the call was loaded, for the repository to write. */
  changedOperations(): MediaOperation[] {
    return [...this.changed.values()];
  }

  /** Whether a changed operation was created since the call was loaded (else it was stored before). */
  isNewOperation(operationId: string): boolean {
    return this.created.has(operationId);
  }

  /** Whether there is anything to store: a decision that changed nothing costs no write. */
  hasChanges(): boolean {
    return this.touched || this.changed.size > 0 || this.getUncommittedEvents().length > 0;
  }

  /** Called by the repository once the changes are stored. */
  markPersisted(): void {
    this.changed.clear();
    this.created.clear();
    this.touched = false;
    this.props.version += 1;
    for (let i = this.active.length - 1; i >= 0; i--) {
      if (this.active[i].isTerminal) this.active.splice(i, 1);
    }
  }

  /** The media plane connected the call: queued prompts may start playing. */
  establish(now: Date): void {
    if (this.props.state !== 'establishing') return; // a repeated or late report changes nothing
    this.props.state = 'established';
    this.touch(now);
    this.apply(new CallEstablished(this.id, this.owner, now, this.props.description.direction));
    this.startHeadIfIdle(now);
  }

  /**
   * Graph playPrompt: queue the prompts. The operation runs at once when
   * nothing else is playing or recording, else it waits `notStarted`.
   */
  playPrompt(prompts: readonly MediaPrompt[], clientContext: string | null, now: Date, loop = false): MediaOperation {
    // `loop` (Graph beta) is stored only when asked for: the parameters of every other prompt stay as they were.
    return this.enqueue('playPrompt', loop ? { prompts, loop } : { prompts }, clientContext, now);
  }

  /**
   * Graph recordResponse: queued exactly like playPrompt, in the same queue.
   * With `bargeInAllowed` the recording "will barge into other existing
   * queued-up/currently-processing record/playprompt requests"
   * (https://learn.microsoft.com/en-us/graph/api/call-record): each of them
   * ends exactly as a cancel ends it, and the recording starts at once.
   */
  recordResponse(
    prompts: readonly MediaPrompt[],
    record: RecordParameters,
    clientContext: string | null,
    now: Date,
  ): MediaOperation {
    this.ensureActive();
    if (record.bargeInAllowed) this.cancel(this.ivrQueue(), now);
    return this.enqueue('recordResponse', { prompts, record }, clientContext, now);
  }

  /**
   * Graph sendDtmfTones: tones sent toward the caller, one after another
   * with the delay asked for. Graph does not say how it is queued; here it
   * waits in the media queue like a prompt, since tones and prompts reach
   * the caller on one audio stream and cannot both play at once.
   * cancelMediaProcessing leaves it alone (running or queued): Graph names
   * only playPrompt and recordResponse as what it cancels
   * (https://learn.microsoft.com/en-us/graph/api/call-cancelmediaprocessing).
   */
  sendDtmfTones(dtmf: DtmfParameters, clientContext: string | null, now: Date): MediaOperation {
    return this.enqueue('sendDtmfTones', { dtmf }, clientContext, now);
  }

  /**
   * Graph updateRecordingStatus: the bot declares whether it records the
   * call. Graph answers it `completed` at once
   * (https://learn.microsoft.com/en-us/graph/api/call-updaterecordingstatus);
   * the status is kept on the operation.
   */
  updateRecordingStatus(status: RecordingStatus, clientContext: string | null, now: Date): MediaOperation {
    this.ensureActive();
    const op = this.newOperation('updateRecordingStatus', { recordingStatus: status }, clientContext, now);
    op.completeImmediately(now);
    this.touch(now);
    this.apply(new MediaOperationEnded(this.id, this.owner, now, op.snapshot()));
    return op;
  }

  /** Graph subscribeToTone: completes at once and is independent of the IVR queue. */
  subscribeToTone(clientContext: string | null, now: Date): MediaOperation {
    this.ensureActive();
    const op = this.newOperation('subscribeToTone', {}, clientContext, now);
    op.completeImmediately(now);
    this.props.toneSubscribed = true;
    this.touch(now);
    this.apply(new MediaOperationEnded(this.id, this.owner, now, op.snapshot()));
    return op;
  }

  /**
   * Graph cancelMediaProcessing: cancels every playPrompt and recordResponse
   * operation of the call that is running or still queued. Each ends `failed`
   * with resultInfo 400/8508 ("Action failed, the operation was cancelled."),
   * a recording also with completionReason `operationCanceled` (a prompt,
   * Graph beta's `mediaOperationCanceled`). A tone subscription and a
   * sendDtmfTones sequence are left alone. The cancel itself is a `completed`
   * operation that lists what it ended; with nothing queued it is a success
   * that ended nothing.
   *
   * `selection` and `options` are this service's extensions (Graph clients
   * never send them): only the running operation (the next queued one then
   * starts), only the queued ones (the running one plays on), or exactly the
   * named operations: those already ended are reported as not cancelled, and
   * an id the call never had is refused. `keepRecordings` keeps a running
   * recording (see cancel()).
   */
  cancelMediaProcessing(
    clientContext: string | null,
    now: Date,
    selection: CancelSelection = { scope: 'all' },
    options: { readonly keepRecordings?: boolean } = {},
  ): MediaOperation {
    this.ensureActive();
    const { targets, notCancelled } = selectForCancel(this.ivrQueue(), selection);
    const cancelled = this.cancel(targets, now, options.keepRecordings === true);
    const cancel = this.newOperation('cancelMediaProcessing', {}, clientContext, now);
    cancel.recordCancelled(cancelled, notCancelled);
    cancel.completeImmediately(now);
    this.touch(now);
    this.apply(new MediaProcessingCancelled(this.id, this.owner, now, cancel.id, clientContext, cancelled));
    this.startHeadIfIdle(now);
    return cancel;
  }

  /** Graph keepAlive: the call stays up for another timeout. A call that has ended is not found, as Graph says. */
  keepAlive(now: Date, timeoutMs = DEFAULT_KEEPALIVE_TIMEOUT_MS): void {
    if (this.props.state === 'terminated') throw new CallNotFoundError(this.id);
    this.props.keepAliveDeadline = new Date(now.getTime() + timeoutMs);
    this.touch(now);
  }

  /**
   * Ends a call whose keepAlive deadline has passed, as Graph cleans up an
   * inactive call (408/8537). Decided on the call as loaded, so a keepAlive
   * that landed first wins, and a call ends once however many replicas try.
   */
  expireIfInactive(now: Date): boolean {
    if (this.props.state === 'terminated' || this.props.keepAliveDeadline.getTime() > now.getTime()) return false;
    this.terminate(RESULT_KEEPALIVE_TIMEOUT, now);
    return true;
  }

  /**
   * The media plane received no media from the caller for its timeout: the
   * call ends with Graph's "Media connectivity failure" (410/301005), and a
   * recording in progress fails with Graph's recordCompletionReason
   * `mediaReceiveTimeout` and the same resultInfo (Graph gives that reason
   * no code of its own). False for a call already ended.
   */
  loseMedia(now: Date): boolean {
    if (this.props.state === 'terminated') return false;
    const recording = this.queue().find((op) => op.kind === 'recordResponse' && op.status === 'running');
    if (recording) {
      this.end(recording, now, (o) => o.fail(RESULT_MEDIA_CONNECTIVITY_FAILURE, now, 'mediaReceiveTimeout'));
    }
    this.terminate(RESULT_MEDIA_CONNECTIVITY_FAILURE, now);
    return true;
  }

  /**
   * The caller hung up (the media plane's edge ended the media): the call
   * ends as Graph ends a peer-to-peer call the other participant left
   * (200/18503). False for a call already ended.
   */
  peerLeft(now: Date): boolean {
    if (this.props.state === 'terminated') return false;
    this.terminate(RESULT_PEER_LEFT, now);
    return true;
  }

  /**
   * Graph DELETE call: the call ends (200/7000, ended by bot) and every
   * queued or running operation fails with it. A call already ended is not
   * found, as for every other action (ensureActive).
   */
  hangUp(now: Date): void {
    if (this.props.state === 'terminated') throw new CallNotFoundError(this.id);
    this.terminate(RESULT_HUNG_UP_BY_BOT, now);
  }

  /**
   * The media plane finished an operation. A report for an operation that
   * already ended (cancelled, or a duplicate report) changes nothing and
   * returns false, so late reports are harmless.
   */
  reportCompleted(operationId: string, now: Date, recording?: RecordingOutcome): boolean {
    const op = this.runningOperation(operationId);
    if (!op) return false;
    this.end(op, now, (o) => o.complete(now, recording));
    this.startHeadIfIdle(now);
    return true;
  }

  /** The media plane could not finish an operation (a recording says why); the next one in the queue starts. */
  reportFailed(operationId: string, resultInfo: ResultInfo, now: Date, completionReason?: CompletionReason): boolean {
    const op = this.runningOperation(operationId);
    if (!op) return false;
    this.end(op, now, (o) => o.fail(resultInfo, now, completionReason));
    this.startHeadIfIdle(now);
    return true;
  }

  /**
   * The media plane heard a DTMF tone. Graph reports tones only to a call that
   * subscribed to them, numbering them in toneInfo.sequenceId; otherwise the
   * tone is dropped and false returned.
   */
  receiveTone(tone: string, now: Date): boolean {
    const name = graphToneOf(tone);
    if (!name || !this.props.toneSubscribed || this.props.state === 'terminated') return false;
    this.props.toneSequence += 1;
    this.props.lastTone = name;
    this.touch(now);
    this.apply(new ToneReceived(this.id, this.owner, now, this.props.toneSequence, tone));
    return true;
  }

  private terminate(reason: ResultInfo, now: Date): void {
    const previousState = this.props.state;
    for (const op of this.queue()) {
      // A prompt or DTMF sequence the call's end cut short is Graph's mediaOperationCanceled.
      const reason = op.kind === 'recordResponse' ? undefined : canceledReasonOf(op.kind);
      this.end(op, now, (o) => o.fail(RESULT_CALL_TERMINATED, now, reason));
    }
    this.props.state = 'terminated';
    this.props.resultInfo = reason;
    this.touch(now);
    this.apply(new CallTerminated(this.id, this.owner, now, previousState, reason));
  }

  /**
   * Ends operations as a cancel does, and says what each was and how far it
   * got. With `keepRecording` (this service's "stop and keep", as Asterisk's
   * and Telnyx's), a running recording is not ended here: it stays running
   * until the media plane, told by the cancel's event, stops it and reports
   * it completed (`operationCanceled`) with what it captured.
   */
  private cancel(operations: readonly MediaOperation[], now: Date, keepRecording = false): CancelledOperationRef[] {
    return operations.map((op) => {
      const kept = keepRecording && op.kind === 'recordResponse' && op.status === 'running';
      const ref: CancelledOperationRef = {
        id: op.id,
        kind: op.kind,
        clientContext: op.clientContext,
        previousStatus: op.status,
        playedDurationMs: op.playedDurationAt(now),
        // Only when true: every other ref (and its published bytes) stays as it was.
        ...(kept ? { recordingKept: true as const } : {}),
      };
      if (kept) return ref;
      this.end(op, now, (o) => o.fail(RESULT_CANCELLED, now, canceledReasonOf(op.kind)));
      return ref;
    });
  }

  private runningOperation(operationId: string): MediaOperation | undefined {
    const op = this.active.find((candidate) => candidate.id === operationId);
    return op?.status === 'running' ? op : undefined;
  }

  private enqueue(
    kind: MediaOperationKind,
    parameters: OperationParameters,
    clientContext: string | null,
    now: Date,
  ): MediaOperation {
    this.ensureActive();
    const op = this.newOperation(kind, parameters, clientContext, now);
    this.active.push(op);
    this.touch(now);
    this.apply(new MediaOperationQueued(this.id, this.owner, now, op.id, kind));
    this.startHeadIfIdle(now);
    return op;
  }

  private startHeadIfIdle(now: Date): void {
    if (this.props.state !== 'established') return;
    const queue = this.queue();
    const head = queue[0];
    if (!head || head.status === 'running') return;
    head.start(now);
    this.changed.set(head.id, head);
    this.apply(new MediaOperationStarted(this.id, this.owner, now, head.snapshot()));
  }

  private end(op: MediaOperation, now: Date, transition: (op: MediaOperation) => void): void {
    transition(op);
    this.changed.set(op.id, op);
    this.touch(now);
    this.apply(new MediaOperationEnded(this.id, this.owner, now, op.snapshot()));
  }

  private newOperation(
    kind: MediaOperationKind,
    parameters: OperationParameters,
    clientContext: string | null,
    now: Date,
  ): MediaOperation {
    this.props.operationSequence += 1;
    const op = MediaOperation.create({
      id: randomUUID(),
      callId: this.id,
      kind,
      sequence: this.props.operationSequence,
      clientContext,
      parameters,
      createdAt: now,
    });
    this.changed.set(op.id, op);
    this.created.add(op.id);
    return op;
  }

  /**
   * An action on a call that has ended is "Call not found.", 404, as Graph
   * answers it: its keepAlive page says so for a call that has ended
   * (https://learn.microsoft.com/en-us/graph/api/call-keepalive), and bots
   * built on Microsoft's samples get "Call not found." (8522) for requests
   * after the call ended (microsoft-graph-comms-samples issues 173 and 330).
   */
  private ensureActive(): void {
    if (this.props.state === 'terminated' || this.props.state === 'terminating') {
      throw new CallNotFoundError(this.id);
    }
  }

  private touch(now: Date): void {
    this.props.updatedAt = now;
    this.touched = true;
  }
}
