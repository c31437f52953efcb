import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { EventsHandler, IEventHandler } from '@nestjs/cqrs';
import { ApplyMediaPlaneReportCommand } from '@calls/application';
import {
  CallCreated,
  CallTerminated,
  MediaOperationEnded,
  MediaOperationStarted,
  MediaProcessingCancelled,
} from '@calls/domain';
import type { CallEvent } from '@calls/domain';
import { MediaSimulation, MediaSimulationTiming } from '@calls/media-plane';
import { MeteredCommandBus } from '../metrics/metered-command-bus';
import { SimulatedRecordings } from './simulated-recordings';

export const SIMULATED_MEDIA_PLANE_TIMING = Symbol('SIMULATED_MEDIA_PLANE_TIMING');

/**
 * The embedded default's media plane (MEDIA_PLANE=simulated): a simulation
 * in this process, driven by the domain events after each commit, reporting
 * back through the command bus as a real media plane would. An operation that
 * ends early (cancel, hang-up) stops at once and reports nothing more.
 */
@Injectable()
@EventsHandler(CallCreated, MediaOperationStarted, MediaOperationEnded, MediaProcessingCancelled, CallTerminated)
export class SimulatedMediaPlane implements IEventHandler<CallEvent>, OnModuleDestroy {
  private readonly logger = new Logger(SimulatedMediaPlane.name);
  private readonly simulation: MediaSimulation;

  constructor(
    commands: MeteredCommandBus,
    @Inject(SIMULATED_MEDIA_PLANE_TIMING) timing: MediaSimulationTiming,
    recordings: SimulatedRecordings,
  ) {
    this.simulation = new MediaSimulation(
      timing,
      (callId, report) => {
        commands.execute(new ApplyMediaPlaneReportCommand(callId, report)).catch((error: unknown) => {
          this.logger.error(`media report ${report.type} for call ${callId} failed: ${String(error)}`);
        });
      },
      recordings,
    );
  }

  handle(event: CallEvent): void {
    if (event instanceof CallCreated) {
      this.simulation.callCreated(event.callId);
    } else if (event instanceof MediaOperationStarted) {
      const { id, parameters } = event.operation;
      this.simulation.operationStarted(event.callId, {
        id,
        promptCount: parameters.prompts?.length ?? 0,
        maxRecordDurationInSeconds: parameters.record?.maxRecordDurationInSeconds,
        initialSilenceTimeoutInSeconds: parameters.record?.initialSilenceTimeoutInSeconds,
        loop: parameters.loop,
        dtmf: parameters.dtmf && {
          toneCount: parameters.dtmf.tones.length,
          delayBetweenTonesMs: parameters.dtmf.delayBetweenTonesMs,
        },
      });
    } else if (event instanceof MediaOperationEnded) {
      this.simulation.stopOperations([event.operation.id]);
    } else if (event instanceof MediaProcessingCancelled) {
      // The others ended with their own MediaOperationEnded; a kept recording stops here, and completes.
      for (const ref of event.cancelled) if (ref.recordingKept) this.simulation.keepRecording(ref.id);
    } else if (event instanceof CallTerminated) {
      this.simulation.stopCall(event.callId);
    }
  }

  onModuleDestroy(): void {
    this.simulation.stopAll();
  }
}
