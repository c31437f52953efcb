import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { CommandBus, EventsHandler, IEventHandler } from '@nestjs/cqrs';
import { randomBytes } from 'node:crypto';
import { ApplyMediaPlaneReportCommand, MediaPlaneReport } from '@calls/application';
import { CallCreated, CallTerminated, MediaOperationEnded, MediaOperationStarted } from '@calls/domain';
import type { CallEvent } from '@calls/domain';

export const SIMULATED_MEDIA_PLANE_TIMING = Symbol('SIMULATED_MEDIA_PLANE_TIMING');

export interface SimulatedMediaPlaneTiming {
  readonly connectMs: number;
  /** How long each prompt "plays". */
  readonly promptMs: number;
}

/**
 * The embedded default's media plane: it connects each new call after
 * `connectMs`, "plays" each started prompt for `promptMs` and "records" for
 * the requested maximum duration, then reports the outcome as a command, as a
 * real media plane would. When an operation ends early (cancel, hang-up) its
 * playback stops at once and nothing more is reported for it.
 */
@Injectable()
@EventsHandler(CallCreated, MediaOperationStarted, MediaOperationEnded, CallTerminated)
export class SimulatedMediaPlane implements IEventHandler<CallEvent>, OnModuleDestroy {
  private readonly logger = new Logger(SimulatedMediaPlane.name);
  private readonly playing = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly commands: CommandBus,
    @Inject(SIMULATED_MEDIA_PLANE_TIMING) private readonly timing: SimulatedMediaPlaneTiming,
  ) {}

  handle(event: CallEvent): void {
    if (event instanceof CallCreated) {
      this.schedule(event.callId, this.timing.connectMs, { type: 'callEstablished' });
    } else if (event instanceof MediaOperationStarted) {
      this.play(event);
    } else if (event instanceof MediaOperationEnded || event instanceof CallTerminated) {
      this.stop(event instanceof MediaOperationEnded ? event.operation.id : event.callId);
    }
  }

  onModuleDestroy(): void {
    for (const timer of this.playing.values()) clearTimeout(timer);
    this.playing.clear();
  }

  private play({ callId, operation }: MediaOperationStarted): void {
    const promptsMs = (operation.parameters.prompts?.length ?? 0) * this.timing.promptMs;
    const record = operation.parameters.record;
    if (!record) {
      this.schedule(operation.id, promptsMs, { type: 'operationCompleted', operationId: operation.id }, callId);
      return;
    }
    this.schedule(
      operation.id,
      promptsMs + record.maxRecordDurationInSeconds * 1000,
      {
        type: 'operationCompleted',
        operationId: operation.id,
        recording: {
          completionReason: 'maxRecordDurationReached',
          // A simulated recording lives nowhere; the reserved .invalid domain says so.
          recordingLocation: `https://recordings.invalid/${operation.id}.wav`,
          recordingAccessToken: randomBytes(16).toString('hex'),
        },
      },
      callId,
    );
  }

  private stop(key: string): void {
    const timer = this.playing.get(key);
    if (timer) clearTimeout(timer);
    this.playing.delete(key);
  }

  private schedule(key: string, delayMs: number, report: MediaPlaneReport, callId = key): void {
    this.stop(key);
    const timer = setTimeout(() => {
      this.playing.delete(key);
      this.commands.execute(new ApplyMediaPlaneReportCommand(callId, report)).catch((error: unknown) => {
        this.logger.error(`media report ${report.type} for call ${callId} failed: ${String(error)}`);
      });
    }, delayMs);
    this.playing.set(key, timer);
  }
}
