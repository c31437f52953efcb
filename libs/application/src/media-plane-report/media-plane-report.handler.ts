import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CALL_REPOSITORY } from '@calls/domain';
import type { CallRepository } from '@calls/domain';
import { CallUnitOfWork } from '../shared/call-unit-of-work';
import { ApplyMediaPlaneReportCommand } from './media-plane-report.command';

@CommandHandler(ApplyMediaPlaneReportCommand)
export class ApplyMediaPlaneReportHandler implements ICommandHandler<ApplyMediaPlaneReportCommand, boolean> {
  constructor(
    private readonly unitOfWork: CallUnitOfWork,
    @Inject(CALL_REPOSITORY) private readonly calls: CallRepository,
  ) {}

  execute({ callId, report }: ApplyMediaPlaneReportCommand): Promise<boolean> {
    // Only a measurement of an operation that already ended: no decision of the call's, so no unit of work.
    if (report.type === 'operationStopped') {
      if (!Number.isFinite(report.playedDurationMs) || report.playedDurationMs < 0) return Promise.resolve(false);
      return this.calls.recordPlayedDuration(callId, report.operationId, report.playedDurationMs);
    }
    return this.unitOfWork.changeAny(callId, (call, now) => {
      // A call hung up while the plane was still connecting or playing: nothing to apply.
      if (call.state === 'terminated') return false;
      switch (report.type) {
        case 'callEstablished':
          call.establish(now);
          return true;
        case 'callDisconnected':
          return report.reason === 'hungUp' ? call.peerLeft(now) : call.loseMedia(now);
        case 'operationCompleted':
          return call.reportCompleted(report.operationId, now, report.recording);
        case 'operationFailed':
          return call.reportFailed(report.operationId, report.resultInfo, now, report.completionReason);
        case 'toneReceived':
          return call.receiveTone(report.tone, now);
      }
    });
  }
}
