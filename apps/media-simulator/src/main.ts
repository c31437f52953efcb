import './tracing';
import { Logger } from '@nestjs/common';
import { stopTracing } from '@calls/runtime';
import { loadConfig } from '@calls/config';
import { MediaSimulator, mediaSimulatorSettings } from './media-simulator';

async function main(): Promise<void> {
  const simulator = new MediaSimulator(mediaSimulatorSettings(loadConfig()));
  await simulator.start();
  Logger.log('media simulator consuming', 'Bootstrap');
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void simulator
        .stop()
        .then(stopTracing)
        .then(() => process.exit(0));
    });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
