import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { LoadSheddingSettings } from '@calls/config';
import { reportAdmission } from '@calls/runtime';
import { Admission } from './admission';
import { ADMISSION, AdmissionGuard, CALL_TURNS } from './admission.guard';
import { CallTurns } from './call-turns';

/** The door (admission.guard.ts); import it after ThrottlingModule so its guard runs after throttling. */
@Module({})
export class OverloadModule {
  static forRoot(settings: LoadSheddingSettings): DynamicModule {
    const admission = settings.admission ? new Admission(settings.admission) : null;
    if (admission) reportAdmission(() => admission);
    return {
      module: OverloadModule,
      providers: [
        { provide: ADMISSION, useValue: admission },
        {
          provide: CALL_TURNS,
          useValue: settings.maxWaitingPerCall > 0 ? new CallTurns(settings.maxWaitingPerCall) : null,
        },
        { provide: APP_GUARD, useClass: AdmissionGuard },
      ],
    };
  }
}
