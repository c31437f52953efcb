import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Config, MediaGatewaySettings } from '@calls/config';
import { RtpengineClient } from '@calls/media-plane';
import {
  CALLS_V1,
  CallsCloudEvent,
  MediaOperationEndedV1,
  MediaOperationStartedV1,
  MediaProcessingCancelledV1,
  MediaReportV1,
  RabbitMqConsumer,
  RabbitMqPublisher,
  toMediaReportEvent,
} from '@calls/messaging';
import { MediaLeg } from './legs/media-leg';
import { PlaybackEngine, PromptPlayback } from './playback/prompt-playback';
import { PromptSource } from './prompts/prompt-source';
import { gatewayAnswer, offerProblem } from './sdp/caller-offer';
import { TelephoneEvents } from './tones/telephone-events';

export interface MediaGatewayOptions extends MediaGatewaySettings {
  readonly amqpUrl: string;
  /** Where calls-service publishes its calls.v1 events, and where this media plane reports (media.v1). */
  readonly eventsExchange: string;
  readonly mediaExchange: string;
}

/** The gateway's settings, from the process's configuration (the broker variables are the service's own). */
export function mediaGatewayOptions(config: Config): MediaGatewayOptions {
  if (!config.messaging.amqpUrl) throw new Error('The media gateway works over RabbitMQ: set AMQP_URL.');
  return {
    ...config.mediaGateway,
    amqpUrl: config.messaging.amqpUrl,
    eventsExchange: config.messaging.exchange,
    mediaExchange: config.mediaPlane.reportsExchange,
  };
}

/** A refusal of the edge's request, with its HTTP status. */
export class EdgeRequestError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 503,
    message: string,
  ) {
    super(message);
  }
}

/** The tags of the two legs of each rtpengine call: the caller's, and the gateway's own. */
export const CALLER_TAG = 'caller';
export const GATEWAY_TAG = 'media-gateway';

/**
 * Microsoft's media stack's code for an error with no better name
 * (Azure/azure-sdk-for-java, azure-communication-callautomation
 * ReasonCodeName.UNSPECIFIED_ERROR = 9999, "Unknown internal server error").
 */
const UNSPECIFIED_ERROR = { code: 500, subcode: 9999, message: 'Unknown internal server error.' };

interface GatewayCall {
  leg?: MediaLeg;
  answering?: boolean;
}

/**
 * The media plane on rtpengine. It learns of calls from calls.v1 (as the
 * media simulator does), anchors each caller's media in rtpengine when the
 * SIP edge hands over the caller's SDP, plays each started operation's
 * prompts to the caller, stops them when the service ends the operation
 * (cancel, barge-in, hang-up), and reports every outcome as media.v1.
 *
 * State is this process's own: the call's RTP socket lives here, so the
 * operations of a call are played by the replica that answered it (see
 * docs/media.md for running more than one).
 */
export class MediaGateway {
  private readonly logger = new Logger(MediaGateway.name);
  private readonly source = `/media-plane/gateway/${randomUUID()}`;
  private readonly publisher: RabbitMqPublisher;
  private readonly consumer: RabbitMqConsumer;
  readonly engine: RtpengineClient;
  readonly prompts: PromptSource;
  private readonly calls = new Map<string, GatewayCall>();
  private readonly playing = new Map<string, { callId: string; playback: PromptPlayback }>();
  private readonly playbackEngine: PlaybackEngine;

  constructor(private readonly options: MediaGatewayOptions) {
    this.engine = new RtpengineClient(RtpengineClient.parseAddress(options.rtpengineNg));
    this.prompts = new PromptSource({ maxBytes: options.promptMaxBytes, timeoutMs: options.promptTimeoutMs });
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
    this.publisher = new RabbitMqPublisher({ url: options.amqpUrl, exchange: options.mediaExchange, timeoutMs: 5000 });
    this.consumer = new RabbitMqConsumer(
      {
        url: options.amqpUrl,
        exchange: options.eventsExchange,
        queue: options.queue,
        bindingKeys: [
          CALLS_V1.callCreated,
          CALLS_V1.mediaOperationStarted,
          CALLS_V1.mediaOperationEnded,
          CALLS_V1.mediaProcessingCancelled,
          CALLS_V1.callTerminated,
        ],
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
    await this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
    for (const callId of [...this.calls.keys()]) await this.endMedia(callId);
    await this.publisher.close();
    await this.engine.close();
  }

  /**
   * The edge hands over the caller's offer: anchor the call in rtpengine,
   * the caller on one side and this gateway's RTP socket on the other, and
   * answer the SDP the edge sends back to the caller.
   */
  async answer(callId: string, callerOffer: string): Promise<string> {
    const call = this.calls.get(callId);
    if (!call) throw new EdgeRequestError(404, `No call ${callId} is waiting for its media.`);
    if (call.leg || call.answering) throw new EdgeRequestError(409, `The call ${callId} already has its media leg.`);
    const problem = offerProblem(callerOffer);
    if (problem) throw new EdgeRequestError(400, problem);
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
        throw new EdgeRequestError(404, `The call ${callId} ended while its media was set up.`);
      leg.codec = own.codec;
      call.leg = leg;
      if (own.codec.telephoneEvent !== undefined) {
        // Every key press goes to the service, which tells the bot if it subscribed (subscribeToTone).
        const events = new TelephoneEvents(own.codec.telephoneEvent, (tone) =>
          this.report(callId, { type: 'toneReceived', tone }),
        );
        leg.listen((packet) => events.receive(packet));
      }
      this.report(callId, { type: 'callEstablished' });
      return String(answer.sdp);
    } catch (error) {
      leg?.close();
      await this.engine.request({ command: 'delete', 'call-id': callId }).catch(() => undefined);
      if (error instanceof EdgeRequestError) throw error;
      this.logger.error(`media for call ${callId} not set up: ${(error as Error).message}`);
      throw new EdgeRequestError(503, `The media engine did not take the call: ${(error as Error).message}`);
    } finally {
      call.answering = false;
    }
  }

  /** The edge ends the media (the caller hung up): the call's audio stops and its leg closes. */
  async hangUp(callId: string): Promise<void> {
    const call = this.calls.get(callId);
    if (!call?.leg) throw new EdgeRequestError(404, `The call ${callId} has no media leg.`);
    await this.endMedia(callId);
    this.calls.set(callId, {});
  }

  private handle(event: CallsCloudEvent): void {
    const callId = event.data!.callId;
    switch (event.type) {
      case CALLS_V1.callCreated:
        if (!this.calls.has(callId)) this.calls.set(callId, {});
        return;
      case CALLS_V1.mediaOperationStarted:
        return this.operationStarted(callId, (event.data as MediaOperationStartedV1).operation);
      case CALLS_V1.mediaProcessingCancelled:
        return this.stopOperations((event.data as MediaProcessingCancelledV1).cancelledOperations.map((op) => op.id));
      case CALLS_V1.mediaOperationEnded:
        return this.stopOperations([(event.data as MediaOperationEndedV1).operation.id]);
      case CALLS_V1.callTerminated:
        void this.endMedia(callId).then(() => this.calls.delete(callId));
        return;
    }
  }

  private operationStarted(callId: string, operation: MediaOperationStartedV1['operation']): void {
    if (!this.calls.get(callId)?.leg) {
      this.logger.warn(`operation ${operation.id} started on call ${callId}, which has no media leg here`);
      return;
    }
    if (operation.record) {
      this.report(callId, {
        type: 'operationFailed',
        operationId: operation.id,
        resultInfo: { ...UNSPECIFIED_ERROR, message: `${UNSPECIFIED_ERROR.message} recordResponse is not played yet.` },
      });
      return;
    }
    const playback = new PromptPlayback(callId, operation.prompts, this.playbackEngine, this.prompts);
    this.playing.set(operation.id, { callId, playback });
    playback.run().then(
      (outcome) => {
        this.playing.delete(operation.id);
        if (outcome.kind === 'completed')
          this.report(callId, { type: 'operationCompleted', operationId: operation.id });
        if (outcome.kind === 'failed') {
          this.report(callId, { type: 'operationFailed', operationId: operation.id, resultInfo: outcome.resultInfo });
        }
      },
      (error: unknown) => {
        this.playing.delete(operation.id);
        this.logger.error(`operation ${operation.id} on call ${callId} failed: ${(error as Error).message}`);
        this.report(callId, { type: 'operationFailed', operationId: operation.id, resultInfo: UNSPECIFIED_ERROR });
      },
    );
  }

  /** The service ended these operations early: stop what is playing, and say for how long it played. */
  private stopOperations(operationIds: readonly string[]): void {
    for (const id of operationIds) {
      const entry = this.playing.get(id);
      if (!entry) continue;
      this.playing.delete(id);
      entry.playback.stop().then(
        (playedDurationMs) =>
          this.report(entry.callId, { type: 'operationStopped', operationId: id, playedDurationMs }),
        (error: unknown) => this.logger.error(`operation ${id} not stopped: ${(error as Error).message}`),
      );
    }
  }

  /** Stops the call's media silently (the service ended the call, or the edge did) and frees its engine call. */
  private async endMedia(callId: string): Promise<void> {
    const stops: Promise<unknown>[] = [];
    for (const [id, entry] of this.playing) {
      if (entry.callId !== callId) continue;
      this.playing.delete(id);
      stops.push(entry.playback.stop().catch(() => undefined));
    }
    await Promise.all(stops);
    const call = this.calls.get(callId);
    if (!call?.leg) return;
    call.leg.close();
    call.leg = undefined;
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
