import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CancelMediaProcessingHandler } from './cancel-media-processing/cancel-media-processing.handler';
import { CreateCallHandler } from './create-call/create-call.handler';
import { GetCallHandler } from './get-call/get-call.handler';
import { GetOperationHandler } from './get-operation/get-operation.handler';
import { HangUpHandler } from './hang-up/hang-up.handler';
import { ApplyMediaPlaneReportHandler } from './media-plane-report/media-plane-report.handler';
import { PlayPromptHandler } from './play-prompt/play-prompt.handler';
import { RecordResponseHandler } from './record-response/record-response.handler';
import { CallUnitOfWork } from './shared/call-unit-of-work';
import { Clock } from './shared/clock';
import { SubscribeToToneHandler } from './subscribe-to-tone/subscribe-to-tone.handler';

/**
 * The use cases. The CALL_REPOSITORY port must be provided by an imported
 * persistence module (see `ApplicationModule.withPersistence`).
 */
@Module({})
export class ApplicationModule {
  static withPersistence(persistence: DynamicModule): DynamicModule {
    return {
      module: ApplicationModule,
      imports: [CqrsModule, persistence],
      providers: [
        Clock,
        CallUnitOfWork,
        CreateCallHandler,
        PlayPromptHandler,
        RecordResponseHandler,
        SubscribeToToneHandler,
        CancelMediaProcessingHandler,
        HangUpHandler,
        ApplyMediaPlaneReportHandler,
        GetCallHandler,
        GetOperationHandler,
      ],
      exports: [Clock],
    };
  }
}
