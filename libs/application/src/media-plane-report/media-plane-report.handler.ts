import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CallUnitOfWork } from '../shared/call-unit-of-work';
import { ApplyMediaPlaneReportCommand } from './media-plane-report.command';

@CommandHandler(ApplyMediaPlaneReportCommand)
export class ApplyMediaPlaneReportHandler implements ICommandHandler<ApplyMediaPlaneReportCommand, boolean> {
  constructor(private readonly unitOfWork: CallUnitOfWork) {}

  execute({ callId, report }: ApplyMediaPlaneReportCommand): Promise<boolean> {
    return this.unitOfWork.changeAny(callId, (call, now) => {
      // A call hung up while the plane was still connecting or playing: nothing to apply.
      if (call.state === 'terminated') return false;
      switch (report.type) {
        case 'callEstablished':
          call.establish(now);
          return true;
        case 'operationCompleted':
          return call.reportCompleted(report.operationId, now, report.recording);
        case 'operationFailed':
          return call.reportFailed(report.operationId, report.resultInfo, now);
        case 'toneReceived':
          return call.receiveTone(report.tone, now);
      }
    });
  }
}
