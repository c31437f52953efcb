import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Config, MediaGatewaySettings } from '@calls/config';
import { GraphHttpError } from '@calls/graph';
import { RESULT_INITIAL_SILENCE_TIMEOUT, RESULT_UNSPECIFIED } from '@calls/domain';
import {
  MemoryRecordingStore,
  PostgresRecordingStore,
  RecordingStore,
  pcm8kWav,
  Recordings,
  RtpengineClient,
  RtpengineError,
} from '@calls/media-plane';
import {
  CALLS_V1,
  CallsCloudEvent,
  MediaOperationEndedV1,
  MediaOperationStartedV1,
  MediaProcessingCancelledV1,
  MEDIA_PLANE_EVENTS,
  MediaReportV1,
  RabbitMqConsumer,
  RabbitMqPublisher,
  toMediaReportEvent,
} from '@calls/messaging';
import { MediaLeg } from './legs/media-leg';
import { gatewayMetrics } from './media-gateway.metrics';
import { DtmfEngine, DtmfSequence } from './dtmf/dtmf-sequence';
import { OperationRun, PlaybackEngine, PlaybackOutcome, PromptPlayback } from './playback/prompt-playback';
import { PromptAudio, PromptSource } from './prompts/prompt-source';
import { RecordOperation, RecordOutcome } from './recording/record-operation';
import { gatewayAnswer, offerProblem } from './sdp/caller-offer';
import { TelephoneEvents } from './tones/telephone-events';

/** The record parameters of a started recordResponse, as calls.v1 carries them. */
interface RecordParametersV1 {
  readonly initialSilenceTimeoutInSeconds: number;
  readonly maxSilenceTimeoutInSeconds: number;
  readonly maxRecordDurationInSeconds: number;
  readonly playBeep: boolean;
  readonly stopTones: readonly string[];
}

export interface MediaGatewayOptions extends MediaGatewaySettings {
  readonly amqpUrl: string;
  /** Where calls-service publishes its calls.v1 events, and where this media plane reports (media.v1). */
  readonly eventsExchange: string;
  readonly mediaExchange: string;
}

/** The gateway's settings, from the process's configuration (the broker variables are the service's own). */
export function mediaGatewayOptions(config: Config): MediaGatewayOptions {
  if (!config.messaging.amqpUrl) throw new Error('The media gateway works over RabbitMQ: set AMQP_URL.');
  // Bots download recordings from it with their access token: never in clear text in production.
  if (config.production && !config.mediaGateway.publicUrl.startsWith('https://')) {
    throw new Error('MEDIA_GATEWAY_PUBLIC_URL must be an https URL in production: bots download recordings from it.');
  }
  return {
    ...config.mediaGateway,
    amqpUrl: config.messaging.amqpUrl,
    eventsExchange: config.messaging.exchange,
    mediaExchange: config.mediaPlane.reportsExchange,
  };
}

/** The tags of the two legs of each rtpengine call: the caller's, and the gateway's own. */
export const CALLER_TAG = 'caller';
export const GATEWAY_TAG = 'media-gateway';

/** How often expired recordings are deleted. */
const PRUNE_INTERVAL_MS = 60_000;

/** playBeep's beep: 400 ms of 1 kHz at about -12 dBFS, as an 8 kHz WAV. */
function beep(): PromptAudio {
  const samples = Int16Array.from({ length: 3200 }, (_, i) =>
    Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)),
  );
  return { wav: pcm8kWav(samples), durationMs: 400 };
}

interface GatewayCall {
  leg?: MediaLeg;
  answering?: boolean;
  /** Established without a leg here: another replica answered it. */
  answeredElsewhere?: boolean;
  /** Who hears the caller's keys besides the service (a recording's stop tones). */
  readonly keyListeners: Set<(key: string) => void>;
}

/**
 * The media plane on rtpengine. It learns of calls from calls.v1 (as the
 * media simulator does), anchors each caller's media in rtpengine when the
 * SIP edge hands over the caller's SDP, plays each started operation's
 * prompts to the caller, stops them when the service ends the operation
 * (cancel, barge-in, hang-up), and reports every outcome as media.v1.
 *
 * State is this process's own: the call's RTP socket lives here, so the
 * operations of a call are played by the replica that answered it. Each
 * replica has its own queue and sees every event; the others know the call
 * and refuse a second answer for it (docs/media.md).
 */
export class MediaGateway {
  private readonly logger = new Logger(MediaGateway.name);
  private readonly source = `/media-plane/gateway/${randomUUID()}`;
  private readonly publisher: RabbitMqPublisher;
  private readonly consumer: RabbitMqConsumer;
  readonly engine: RtpengineClient;
  readonly prompts: PromptSource;
  private readonly calls = new Map<string, GatewayCall>();
  /** Running operations; `timed` for those whose played time the service keeps (prompts, recordings). */
  private readonly playing = new Map<string, { callId: string; playback: OperationRun<unknown>; timed: boolean }>();
  private readonly playbackEngine: PlaybackEngine;
  private readonly dtmfEngine: DtmfEngine;
  readonly recordings: Recordings;
  private readonly recordingStore: RecordingStore;
  private readonly beep = beep();
  private pruneTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(private readonly options: MediaGatewayOptions) {
    this.engine = new RtpengineClient(
      RtpengineClient.parseAddress(options.rtpengineNg),
      5000,
      `http://${options.rtpengineHttp}/ng`,
      (error: RtpengineError) => gatewayMetrics.engineErrors.labels(error.command).inc(),
    );
    this.prompts = new PromptSource({ maxBytes: options.promptMaxBytes, timeoutMs: options.promptTimeoutMs });
    this.recordingStore = options.databaseUrl
      ? new PostgresRecordingStore(options.databaseUrl)
      : new MemoryRecordingStore();
    this.recordings = new Recordings(this.recordingStore, options.publicUrl, options.recordingTtlSeconds);
    this.playbackEngine = {
      play: async (callId, wav) => {
        const answer = await this.engine.request({
          command: 'play media',
          'call-id': callId,
          'from-tag': CALLER_TAG,
          blob: wav,
        });
        return Number(answer.duration);
      },
      stop: async (callId) => {
        await this.engine.request({ command: 'stop media', 'call-id': callId, 'from-tag': CALLER_TAG });
      },
    };
    this.dtmfEngine = {
      // The participant named is the one the tone comes from (rtpengine's ng protocol, "play DTMF"):
      // the gateway's own leg, so that the caller hears it.
      playDtmf: async (callId, code, durationMs, pauseMs) => {
        await this.engine.request({
          command: 'play DTMF',
          'call-id': callId,
          'from-tag': GATEWAY_TAG,
          code,
          duration: durationMs,
          pause: pauseMs,
        });
      },
    };
    this.publisher = new RabbitMqPublisher({ url: options.amqpUrl, exchange: options.mediaExchange, timeoutMs: 5000 });
    this.consumer = new RabbitMqConsumer(
      {
        url: options.amqpUrl,
        exchange: options.eventsExchange,
        queue: options.queue,
        // And calls another replica connected, to refuse a second answer for them.
        bindingKeys: [...MEDIA_PLANE_EVENTS, CALLS_V1.callEstablished],
        prefetch: 100,
      },
      async (event) => this.handle(event),
    );
  }

  /** Whether its queue is bound (from then on it misses no event) */
  get queueBound(): boolean {
    return this.consumer.bound;
  }

  /** Calls it knows, and the ones with a media leg. */
  get counts(): { calls: number; legs: number; playing: number } {
    let legs = 0;
    for (const call of this.calls.values()) if (call.leg) legs += 1;
    return { calls: this.calls.size, legs, playing: this.playing.size };
  }

  async start(): Promise<void> {
    await this.recordingStore.start();
    if (!this.options.databaseUrl) {
      this.logger.warn('no DATABASE_URL: recordings are kept in this process, and only it can serve them');
    }
    this.pruneTimer = setInterval(() => {
      this.recordings.prune().catch((error: Error) => this.logger.warn(`recordings not pruned: ${error.message}`));
    }, PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
    this.watchdog = setInterval(() => this.checkMediaTimeouts(Date.now()), 250);
    this.watchdog.unref();
    await this.consumer.start();
  }

  async stop(): Promise<void> {
    clearInterval(this.pruneTimer);
    clearInterval(this.watchdog);
    await this.consumer.stop();
    for (const callId of [...this.calls.keys()]) await this.endMedia(callId);
    await this.publisher.close();
    await this.engine.close();
    await this.recordingStore.close();
  }

  /**
   * The edge hands over the caller's offer: anchor the call in rtpengine,
   * the caller on one side and this gateway's RTP socket on the other, and
   * answer the SDP the edge sends back to the caller.
   */
  async answer(callId: string, callerOffer: string): Promise<string> {
    const call = this.calls.get(callId);
    if (!call) throw new GraphHttpError(404, 'itemNotFound', `No call ${callId} is waiting for its media.`);
    if (call.leg || call.answering || call.answeredElsewhere) {
      throw new GraphHttpError(409, 'notAllowed', `The call ${callId} already has its media leg.`);
    }
    const problem = offerProblem(callerOffer);
    if (problem) throw new GraphHttpError(400, 'invalidRequest', problem);
    call.answering = true;
    let leg: MediaLeg | undefined;
    try {
      leg = await MediaLeg.open(this.options.rtpAddress);
      const offer = await this.engine.request({
        command: 'offer',
        'call-id': callId,
        'from-tag': CALLER_TAG,
        sdp: callerOffer,
        flags: ['inject-DTMF'],
        // Neither side sees the other's origin: each sees rtpengine's.
        replace: ['origin', 'session-connection'],
      });
      const own = gatewayAnswer(String(offer.sdp), this.options.rtpAddress, leg.port);
      const answer = await this.engine.request({
        command: 'answer',
        'call-id': callId,
        'from-tag': CALLER_TAG,
        'to-tag': GATEWAY_TAG,
        sdp: own.sdp,
        flags: ['inject-DTMF'],
        replace: ['origin', 'session-connection'],
      });
      if (!this.calls.has(callId))
        throw new GraphHttpError(404, 'itemNotFound', `The call ${callId} ended while its media was set up.`);
      leg.codec = own.codec;
      leg.remote = own.remote;
      call.leg = leg;
      gatewayMetrics.legs.inc();
      if (own.codec.telephoneEvent !== undefined) {
        // Every key press goes to the service, which tells the bot if it subscribed (subscribeToTone).
        const events = new TelephoneEvents(own.codec.telephoneEvent, (tone) => {
          this.report(callId, { type: 'toneReceived', tone });
          for (const listener of call.keyListeners) listener(tone);
        });
        leg.listen((packet) => events.receive(packet));
      }
      this.report(callId, { type: 'callEstablished' });
      return String(answer.sdp);
    } catch (error) {
      leg?.close();
      await this.engine.request({ command: 'delete', 'call-id': callId }).catch(() => undefined);
      if (error instanceof GraphHttpError) throw error;
      this.logger.error(`media for call ${callId} not set up: ${(error as Error).message}`);
      throw new GraphHttpError(
        503,
        'serviceNotAvailable',
        `The media engine did not take the call: ${(error as Error).message}`,
      );
    } finally {
      call.answering = false;
    }
  }

  /**
   * The edge ends the media (the caller hung up): the service is told and
   * ends the call. The replica that holds the leg stops its audio at once;
   * any other replica passes the word on, and the holder stops when the
   * call's calls.v1.call.terminated reaches it.
   */
  async hangUp(callId: string): Promise<void> {
    if (!this.calls.has(callId)) throw new GraphHttpError(404, 'itemNotFound', `No call ${callId} has media here.`);
    await this.endMedia(callId);
    this.report(callId, { type: 'callDisconnected', reason: 'hungUp' });
  }

  /**
   * A leg that received no RTP for MEDIA_TIMEOUT_S: the caller is gone
   * without a hang-up (a dead phone, a lost network). The service is told,
   * and ends the call; the media stops here at once.
   */
  private checkMediaTimeouts(now: number): void {
    const timeoutMs = this.options.mediaTimeoutSeconds * 1000;
    for (const [callId, call] of this.calls) {
      if (!call.leg || now - call.leg.lastPacketAt < timeoutMs) continue;
      this.logger.warn(`call ${callId}: no media for ${this.options.mediaTimeoutSeconds} s, reported disconnected`);
      this.report(callId, { type: 'callDisconnected', reason: 'mediaTimeout' });
      void this.endMedia(callId);
    }
  }

  private handle(event: CallsCloudEvent): void {
    const callId = event.data!.callId;
    switch (event.type) {
      case CALLS_V1.callCreated:
        if (!this.calls.has(callId)) this.calls.set(callId, { keyListeners: new Set() });
        return;
      case CALLS_V1.callEstablished: {
        const call = this.calls.get(callId);
        if (call && !call.leg && !call.answering) call.answeredElsewhere = true;
        return;
      }
      case CALLS_V1.mediaOperationStarted:
        return this.operationStarted(callId, (event.data as MediaOperationStartedV1).operation);
      case CALLS_V1.mediaProcessingCancelled: {
        const { cancelledOperations } = event.data as MediaProcessingCancelledV1;
        for (const op of cancelledOperations) if (op.recordingKept) this.keepRecording(op.id);
        return this.stopOperations(cancelledOperations.filter((op) => !op.recordingKept).map((op) => op.id));
      }
      case CALLS_V1.mediaOperationEnded:
        return this.stopOperations([(event.data as MediaOperationEndedV1).operation.id]);
      case CALLS_V1.callTerminated:
        void this.endMedia(callId).then(() => this.calls.delete(callId));
        return;
    }
  }

  private operationStarted(callId: string, operation: MediaOperationStartedV1['operation']): void {
    const call = this.calls.get(callId);
    if (!call?.leg) {
      this.logger.warn(`operation ${operation.id} started on call ${callId}, which has no media leg here`);
      return;
    }
    if (operation.dtmf) return this.sendTones(callId, call.leg, operation.id, operation.dtmf);
    const record = operation.record as RecordParametersV1 | null;
    const run: OperationRun<PlaybackOutcome | RecordOutcome> = record
      ? new RecordOperation(
          callId,
          operation.prompts,
          record,
          call.leg,
          (listener) => {
            call.keyListeners.add(listener);
            return () => call.keyListeners.delete(listener);
          },
          this.playbackEngine,
          this.prompts,
          this.beep,
        )
      : new PromptPlayback(
          callId,
          operation.prompts,
          this.playbackEngine,
          this.prompts,
          undefined,
          operation.loop === true,
        );
    this.playing.set(operation.id, { callId, playback: run, timed: true });
    const kind = record ? 'recordResponse' : 'playPrompt';
    run
      .run()
      .then((outcome) => {
        gatewayMetrics.operations.labels(kind, outcome.kind).inc();
        if (outcome.kind === 'failed' && outcome.resultInfo.subcode === 8536)
          gatewayMetrics.promptFailures.labels('download').inc();
        if (outcome.kind === 'failed' && outcome.resultInfo.subcode === 8535)
          gatewayMetrics.promptFailures.labels('format').inc();
        return this.finished(callId, operation.id, record !== null, outcome);
      })
      .catch((error: unknown) => {
        this.logger.error(`operation ${operation.id} on call ${callId} failed: ${(error as Error).message}`);
        this.report(callId, { type: 'operationFailed', operationId: operation.id, resultInfo: RESULT_UNSPECIFIED });
      })
      .finally(() => this.playing.delete(operation.id));
  }

  /** sendDtmfTones: the tones toward the caller, one at a time; reported completed once all were sent. */
  private sendTones(
    callId: string,
    leg: MediaLeg,
    operationId: string,
    dtmf: { tones: readonly string[]; delayBetweenTonesMs: number },
  ) {
    const run = new DtmfSequence(callId, dtmf.tones, dtmf.delayBetweenTonesMs, this.dtmfEngine, () =>
      leg.streamSilence(),
    );
    this.playing.set(operationId, { callId, playback: run, timed: false });
    run
      .run()
      .then((outcome) => {
        gatewayMetrics.operations.labels('sendDtmfTones', outcome.kind).inc();
        return this.finished(callId, operationId, false, outcome);
      })
      .catch((error: unknown) => {
        gatewayMetrics.operations.labels('sendDtmfTones', 'failed').inc();
        this.logger.error(`operation ${operationId} on call ${callId} failed: ${(error as Error).message}`);
        this.report(callId, { type: 'operationFailed', operationId, resultInfo: RESULT_UNSPECIFIED });
      })
      .finally(() => this.playing.delete(operationId));
  }

  /** Reports how an operation ended on its own (one stopped by the service was reported when it stopped). */
  private async finished(
    callId: string,
    operationId: string,
    recording: boolean,
    outcome: PlaybackOutcome | RecordOutcome,
  ): Promise<void> {
    switch (outcome.kind) {
      case 'stopped':
        return;
      case 'completed':
        return this.report(callId, { type: 'operationCompleted', operationId });
      case 'failed':
        return this.report(callId, {
          type: 'operationFailed',
          operationId,
          resultInfo: outcome.resultInfo,
          // A recording whose prompt could not be played says so (Graph's recordCompletionReason).
          ...(recording ? { completionReason: 'playPromptFailed' as const } : {}),
        });
      case 'recorded':
        if (outcome.end === 'initialSilenceTimeout') {
          return this.report(callId, {
            type: 'operationFailed',
            operationId,
            resultInfo: RESULT_INITIAL_SILENCE_TIMEOUT,
            completionReason: 'initialSilenceTimeout',
          });
        }
        return this.report(callId, {
          type: 'operationCompleted',
          operationId,
          recording: {
            completionReason: outcome.end,
            ...(await this.recordings.keep(callId, operationId, outcome.wav)),
          },
        });
    }
  }

  /** A cancel asked to keep this running recording: it ends now and is reported completed with what it holds. */
  private keepRecording(operationId: string): void {
    const run = this.playing.get(operationId)?.playback;
    if (run instanceof RecordOperation) run.keep();
  }

  /** The service ended these operations early: stop what is playing, and say for how long it played. */
  private stopOperations(operationIds: readonly string[]): void {
    for (const id of operationIds) {
      const entry = this.playing.get(id);
      if (!entry) continue;
      this.playing.delete(id);
      const stopping = gatewayMetrics.stopSeconds.startTimer();
      entry.playback.stop().then(
        (playedDurationMs) => {
          stopping();
          // A DTMF sequence has no playedDuration in Graph's shape: nothing to refine.
          if (entry.timed) this.report(entry.callId, { type: 'operationStopped', operationId: id, playedDurationMs });
        },
        (error: unknown) => this.logger.error(`operation ${id} not stopped: ${(error as Error).message}`),
      );
    }
  }

  /** Stops the call's media silently (the service ended the call, or the edge did) and frees its engine call. */
  private async endMedia(callId: string): Promise<void> {
    // The leg is detached first, so nothing else (the watchdog, a second end) acts on it meanwhile.
    const call = this.calls.get(callId);
    const leg = call?.leg;
    if (call) call.leg = undefined;
    const stops: Promise<unknown>[] = [];
    for (const [id, entry] of this.playing) {
      if (entry.callId !== callId) continue;
      this.playing.delete(id);
      stops.push(entry.playback.stop().catch(() => undefined));
    }
    await Promise.all(stops);
    if (!leg) return;
    gatewayMetrics.legs.dec();
    leg.close();
    await this.engine.request({ command: 'delete', 'call-id': callId }).catch((error: Error) => {
      this.logger.warn(`rtpengine call ${callId} not deleted: ${error.message}`);
    });
  }

  private report(callId: string, report: MediaReportV1): void {
    this.publisher.publish([toMediaReportEvent(this.source, callId, report)]).catch((error: unknown) => {
      this.logger.error(`report ${report.type} for call ${callId} not published: ${(error as Error).message}`);
    });
  }
}
