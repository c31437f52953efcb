import './tracing';
import { Logger } from '@nestjs/common';
import { stopTracing } from '@calls/runtime';
import { loadConfig } from '@calls/config';
import { startEdgeApi } from './edge/edge-api';
import { MediaGateway, mediaGatewayOptions } from './media-gateway';

async function main(): Promise<void> {
  const config = loadConfig();
  const options = mediaGatewayOptions(config);
  const gateway = new MediaGateway(options);
  await gateway.start();
  const api = await startEdgeApi(gateway, { port: options.port, host: config.http.host, edgeToken: options.edgeToken });
  Logger.log(
    `media gateway consuming; edge API on port ${options.port}; rtpengine at ${options.rtpengineNg}`,
    'Bootstrap',
  );
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void api
        .close()
        .then(() => gateway.stop())
        .then(stopTracing)
        .then(() => process.exit(0));
    });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
