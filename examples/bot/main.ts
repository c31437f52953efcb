/*
 * The example bot, from the command line (README.md walks through it):
 *   BOT_TOKEN=$(npm run -s token -- --tenant t1 --app my-bot) npm run example:bot
 */
import { startCallbackEndpoint } from './callback-endpoint';
import { runBot } from './bot';

async function main(): Promise<void> {
  const serviceUrl = process.env.SERVICE_URL ?? 'http://127.0.0.1:3000';
  const token = process.env.BOT_TOKEN;
  if (!token)
    throw new Error(
      "Set BOT_TOKEN to the bot's access token (npm run -s token -- --tenant <t> --app <bot>, against the embedded default).",
    );
  const appId = process.env.BOT_APP_ID ?? JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).azp;
  const callbacks = await startCallbackEndpoint({ serviceUrl, appId, port: Number(process.env.BOT_PORT ?? 0) });
  try {
    await runBot({ serviceUrl, token, appId, callbacks });
    console.log(`${callbacks.received.length} callbacks received and validated, ${callbacks.refused} refused`);
  } finally {
    await callbacks.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
