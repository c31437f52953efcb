/*
 * Runs the example subscriber: prints every cancel the service publishes.
 *   AMQP_URL=amqp://guest:guest@127.0.0.1:5672 AMQP_EXCHANGE=calls.events npm run example:subscriber
 */
import { CALLS_V1 } from '../../libs/messaging/src/contracts/calls-v1.contracts';
import type { MediaProcessingCancelledV1 } from '../../libs/messaging/src/contracts/calls-v1.contracts';
import { subscribe } from './subscriber';

async function main(): Promise<void> {
  const subscription = await subscribe(
    {
      amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
      exchange: process.env.AMQP_EXCHANGE ?? 'calls.events',
      queue: process.env.SUBSCRIBER_QUEUE ?? 'calls.v1.example-subscriber',
      bindingKeys: [CALLS_V1.mediaProcessingCancelled],
    },
    async (event) => {
      const data = event.data as MediaProcessingCancelledV1;
      const ended = data.cancelledOperations.map((op) => `${op.kind} ${op.id} (${op.previousStatus})`);
      console.log(`call ${data.callId}: cancel ${data.cancelOperation.id} ended ${ended.join(', ') || 'nothing'}`);
    },
  );
  console.log('subscribed; Ctrl-C to stop');
  process.once('SIGINT', () => void subscription.stop().then(() => process.exit(0)));
}

void main();
