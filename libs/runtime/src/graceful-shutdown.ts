import type { INestApplicationContext } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { stopTracing } from './tracing/start-tracing';

/**
 * Graceful shutdown on SIGTERM/SIGINT: stop taking new connections, let
 * in-flight requests, the relay batch and notifier round finish, close the
 * database and broker connections (Nest's shutdown hooks), then exit 0. If
 * that takes longer than `graceMs`, exit 1 rather than hang past Kubernetes'
 * own grace period.
 */
export function installGracefulShutdown(
  app: INestApplicationContext,
  graceMs: number,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      void shutDown(app, graceMs).then(exit);
    });
  }
}

/** Closes the app within `graceMs`; answers the exit code. */
export async function shutDown(app: INestApplicationContext, graceMs: number): Promise<number> {
  const logger = new Logger('Shutdown');
  logger.log(`shutting down (grace ${graceMs} ms)`);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<number>((resolve) => {
    timer = setTimeout(() => {
      logger.error(`still closing after ${graceMs} ms; exiting anyway`);
      resolve(1);
    }, graceMs);
  });
  const closed = app
    .close()
    .then(
      () => 0,
      (error: unknown) => {
        logger.error(`shutdown failed: ${(error as Error).message}`);
        return 1;
      },
    )
    // Last, so the spans of the requests that just finished are exported too.
    .then(async (code) => {
      await stopTracing();
      return code;
    });
  const code = await Promise.race([closed, late]);
  clearTimeout(timer);
  return code;
}
