/*
 * The quick start's callback receiver (README.md): the callback endpoint of
 * the example bot on its own, printing each notification the service sends
 * once its token has been verified, so "the bot is told" is something you
 * see. `npm run example:receiver`; BOT_APP_ID (default my-bot, the quick
 * start's app), BOT_PORT (default 4000) and SERVICE_URL change it.
 */
import { startCallbackEndpoint } from './callback-endpoint';
import type { CommsNotification } from './callback-endpoint';

/** One line per notification: what changed, and to what. */
export function describeNotification(notification: CommsNotification): string {
  const data = notification.resourceData;
  const type = data['@odata.type'].replace('#microsoft.graph.', '');
  const result = data.resultInfo as { code?: number; subcode?: number } | null | undefined;
  const state = String(data.status ?? data.state ?? '');
  return [
    `${notification.changeType} ${type} ${notification.resourceUrl}: ${state}`,
    result ? `, resultInfo ${result.code}/${result.subcode}` : '',
  ].join('');
}

async function main(): Promise<void> {
  const serviceUrl = process.env.SERVICE_URL ?? 'http://127.0.0.1:3000';
  const endpoint = await startCallbackEndpoint({
    serviceUrl,
    appId: process.env.BOT_APP_ID ?? 'my-bot',
    port: Number(process.env.BOT_PORT ?? 4000),
    onNotification: (notification) => console.log(describeNotification(notification)),
  });
  console.log(`receiving notifications at ${endpoint.url} (verified against ${serviceUrl}); Ctrl-C stops`);
  process.on('SIGINT', () => void endpoint.close().then(() => process.exit(0)));
  process.on('SIGTERM', () => void endpoint.close().then(() => process.exit(0)));
}

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
