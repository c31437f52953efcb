import { DynamicModule, Module } from '@nestjs/common';
import type { MediaSimulationTiming } from '@calls/media-plane';
import { BrokerMediaPlane, MEDIA_PLANE_SETTINGS } from './broker-media-plane';
import type { MediaPlaneSettings } from '@calls/config';
import { SIMULATED_MEDIA_PLANE_TIMING, SimulatedMediaPlane } from './simulated-media-plane';
import { PUBLIC_BASE_URL, SIMULATED_MEDIA_PLANE_SETTINGS, SimulatedRecordings } from './simulated-recordings';
import { SimulatedRecordingsController } from './simulated-recordings.controller';

/**
 * The media plane port, with its adapter chosen by MEDIA_PLANE; the
 * simulated one also keeps and serves its recordings.
 */
@Module({})
export class MediaPlaneModule {
  static forRoot(settings: MediaPlaneSettings, publicBaseUrl?: string): DynamicModule {
    const timing: MediaSimulationTiming = settings.simulated;
    if (settings.mode === 'broker') {
      return {
        module: MediaPlaneModule,
        providers: [{ provide: MEDIA_PLANE_SETTINGS, useValue: settings }, BrokerMediaPlane],
      };
    }
    return {
      module: MediaPlaneModule,
      controllers: [SimulatedRecordingsController],
      providers: [
        { provide: SIMULATED_MEDIA_PLANE_TIMING, useValue: timing },
        { provide: SIMULATED_MEDIA_PLANE_SETTINGS, useValue: settings.simulated },
        { provide: PUBLIC_BASE_URL, useValue: publicBaseUrl },
        SimulatedRecordings,
        SimulatedMediaPlane,
      ],
    };
  }
}
