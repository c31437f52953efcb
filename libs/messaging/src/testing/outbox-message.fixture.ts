import type { OutboxMessage } from '../contracts/cloud-event';
import { CALLS_V1 } from '../contracts/calls-v1.contracts';

/** An outbox message of one call (a call.established event), for the outbox's unit tests. */
export function testOutboxMessage(id: string): OutboxMessage {
  return {
    id,
    callId: '00000000-0000-4000-8000-000000000001',
    type: CALLS_V1.callEstablished,
    occurredAt: new Date(),
    data: {
      callId: '00000000-0000-4000-8000-000000000001',
      tenantId: 't',
      appId: 'a',
      callbackUri: 'https://bot.example.test/cb',
      state: 'established',
    },
    trace: {},
  };
}
