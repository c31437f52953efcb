import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Config } from '@calls/config';
import { MediaSimulation, MediaSimulationTiming } from '@calls/media-plane';
import {
  CALLS_V1,
  CallsCloudEvent,
  MediaOperationEndedV1,
  MediaOperationStartedV1,
  MediaProcessingCancelledV1,
  MEDIA_PLANE_EVENTS,
  RabbitMqConsumer,
  RabbitMqPublisher,
  toMediaReportEvent,
} from '@calls/messaging';

export interface MediaSimulatorSettings {
  readonly amqpUrl: string;
  /** Where calls-service publishes its calls.v1 events. */
  readonly eventsExchange: string;
  /** Where this media plane reports (media.v1). */
  readonly mediaExchange: string;
  readonly queue: string;
  readonly timing: MediaSimulationTiming;
}

/** The simulator's settings, from the process's configuration (the same variables the service reads). */
export function mediaSimulatorSettings(config: Config): MediaSimulatorSettings {
  if (!config.messaging.amqpUrl) throw new Error('The media simulator works over RabbitMQ: set AMQP_URL.');
  return {
    amqpUrl: config.messaging.amqpUrl,
    eventsExchange: config.messaging.exchange,
    mediaExchange: config.mediaPlane.reportsExchange,
    queue: config.mediaPlane.simulatorQueue,
    timing: { ...config.mediaPlane.simulated, reportStops: true },
  };
}

/**
 * A stand-in for the real media plane, as its own process over RabbitMQ:
 * it connects each new call, "plays" each started prompt, reports the
 * outcome, and stops at once, reporting nothing more, for the operations a
 * calls.v1.mediaProcessing.cancelled names (or that ended otherwise).
 */
export class MediaSimulator {
  private readonly logger = new Logger(MediaSimulator.name);
  private readonly source = `/media-plane/simulator/${randomUUID()}`;
  private readonly publisher: RabbitMqPublisher;
  private readonly consumer: RabbitMqConsumer;
  readonly simulation: MediaSimulation;

  constructor(settings: MediaSimulatorSettings) {
    this.publisher = new RabbitMqPublisher({
      url: settings.amqpUrl,
      exchange: settings.mediaExchange,
      timeoutMs: 5000,
    });
    this.simulation = new MediaSimulation(settings.timing, (callId, report) => {
      this.publisher.publish([toMediaReportEvent(this.source, callId, report)]).catch((error: unknown) => {
        this.logger.error(`report ${report.type} for call ${callId} not published: ${(error as Error).message}`);
      });
    });
    this.consumer = new RabbitMqConsumer(
      {
        url: settings.amqpUrl,
        exchange: settings.eventsExchange,
        queue: settings.queue,
        bindingKeys: MEDIA_PLANE_EVENTS,
        prefetch: 100,
      },
      async (event) => this.handle(event),
    );
  }

  async start(): Promise<void> {
    await this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
    this.simulation.stopAll();
    await this.publisher.close();
  }

  private handle(event: CallsCloudEvent): void {
    const callId = event.data!.callId;
    switch (event.type) {
      case CALLS_V1.callCreated:
        return this.simulation.callCreated(callId);
      case CALLS_V1.mediaOperationStarted: {
        const { operation } = event.data as MediaOperationStartedV1;
        const record = operation.record as {
          maxRecordDurationInSeconds?: number;
          initialSilenceTimeoutInSeconds?: number;
        } | null;
        return this.simulation.operationStarted(callId, {
          id: operation.id,
          promptCount: operation.prompts.length,
          maxRecordDurationInSeconds: record?.maxRecordDurationInSeconds,
          initialSilenceTimeoutInSeconds: record?.initialSilenceTimeoutInSeconds,
          loop: operation.loop === true,
          dtmf: operation.dtmf
            ? { toneCount: operation.dtmf.tones.length, delayBetweenTonesMs: operation.dtmf.delayBetweenTonesMs }
            : undefined,
        });
      }
      case CALLS_V1.mediaProcessingCancelled: {
        const { cancelledOperations } = event.data as MediaProcessingCancelledV1;
        for (const op of cancelledOperations) {
          if (op.recordingKept) this.simulation.keepRecording(op.id);
          else this.simulation.stopOperations([op.id]);
        }
        return;
      }
      case CALLS_V1.mediaOperationEnded:
        return this.simulation.stopOperations([(event.data as MediaOperationEndedV1).operation.id]);
      case CALLS_V1.callTerminated:
        return this.simulation.stopCall(callId);
    }
  }
}
