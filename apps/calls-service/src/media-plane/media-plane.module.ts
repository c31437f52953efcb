import { DynamicModule, Module } from '@nestjs/common';
import type { MediaSimulationTiming } from '@calls/media-plane';
import { BrokerMediaPlane, MEDIA_PLANE_SETTINGS } from './broker-media-plane';
import type { MediaPlaneSettings } from '@calls/config';
import { SIMULATED_MEDIA_PLANE_TIMING, SimulatedMediaPlane } from './simulated-media-plane';

/** The media plane port, with its adapter chosen by MEDIA_PLANE. */
@Module({})
export class MediaPlaneModule {
  static forRoot(settings: MediaPlaneSettings): DynamicModule {
    const timing: MediaSimulationTiming = settings.simulated;
    return {
      module: MediaPlaneModule,
      providers:
        settings.mode === 'broker'
          ? [{ provide: MEDIA_PLANE_SETTINGS, useValue: settings }, BrokerMediaPlane]
          : [{ provide: SIMULATED_MEDIA_PLANE_TIMING, useValue: timing }, SimulatedMediaPlane],
    };
  }
}
