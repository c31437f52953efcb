import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { loadConfig } from '@calls/config';
import { dataSourceOptions, NotificationInboxTypeormStore } from '@calls/persistence';

const usage = `Usage: npm run dead-letters -- list [--limit N]
       npm run dead-letters -- replay <eventId> [<eventId> ...]
       npm run dead-letters -- replay --all
Lists the notifications the notifier gave up on, or puts them back in line (with a fresh retry budget).`;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { limit: { type: 'string', default: '100' }, all: { type: 'boolean', default: false } },
  });
  const [command, ...ids] = positionals;
  if (command !== 'list' && command !== 'replay') {
    console.error(usage);
    process.exit(2);
  }
  const dataSource = await new DataSource({
    ...dataSourceOptions(loadConfig().database),
    migrationsRun: false,
  }).initialize();
  try {
    const inbox = new NotificationInboxTypeormStore(dataSource);
    if (command === 'list') {
      for (const letter of await inbox.listDead(Number(values.limit))) {
        console.log(
          [
            letter.eventId,
            letter.callId,
            letter.type,
            letter.attempts,
            letter.failedAt?.toISOString(),
            letter.lastError,
          ].join('\t'),
        );
      }
      return;
    }
    if (!values.all && ids.length === 0) {
      console.error(usage);
      process.exit(2);
    }
    const replayed = await inbox.replay(values.all ? 'all' : ids, new Date());
    console.log(`${replayed} dead letter(s) put back in line`);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
