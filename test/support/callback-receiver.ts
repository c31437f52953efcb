import { createServer, IncomingMessage, Server } from 'node:http';
import { until } from './waits';

export interface ReceivedNotification {
  readonly headers: IncomingMessage['headers'];
  readonly body: { value: { changeType: string; resourceUrl: string; resourceData: Record<string, unknown> }[] };
  readonly at: number;
  /** What the receiver answered. */
  status?: number;
}

/**
 * A bot's callback endpoint on loopback. `respond` decides each answer, so a
 * test can fail the first attempts, throttle, or fail for ever.
 */
export class CallbackReceiver {
  readonly received: ReceivedNotification[] = [];
  respond: (n: number, notification: ReceivedNotification) => { status: number; headers?: Record<string, string> } =
    () => ({
      status: 202,
    });
  /** How long each answer takes, so deliveries can be caught in flight. */
  delayMs = 0;
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const notification: ReceivedNotification = {
          headers: request.headers,
          body: JSON.parse(Buffer.concat(chunks).toString()),
          at: Date.now(),
        };
        this.received.push(notification);
        const answer = this.respond(this.received.length, notification);
        notification.status = answer.status;
        const send = () => response.writeHead(answer.status, answer.headers).end();
        if (this.delayMs > 0) setTimeout(send, this.delayMs);
        else send();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/callback`;
  }

  /** Waits until at least `count` notifications arrived (they come on the notifier's own time). */
  async receivedAtLeast(count: number, timeoutMs = 15_000): Promise<void> {
    await until(() => this.received.length >= count, timeoutMs);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
