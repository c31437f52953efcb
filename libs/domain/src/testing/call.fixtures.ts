import { Call } from '../call/call.aggregate';
import type { CallDescription } from '../call/call.values';
import type { MediaPrompt } from '../call/media-operation';

/** Shared by the specs and the integration tests: one owner, one call shape, one prompt. */
export const TEST_OWNER = { tenantId: 'tenant-a', appId: 'app-a' };

export const TEST_PROMPTS: readonly MediaPrompt[] = [{ uri: 'https://cdn.example.test/a.wav' }];

export function testCallDescription(overrides: Partial<CallDescription> = {}): CallDescription {
  return {
    callbackUri: 'https://bot.example.test/cb',
    direction: 'outgoing',
    requestedModalities: ['audio'],
    mediaConfig: {},
    source: null,
    targets: [],
    subject: null,
    chatInfo: null,
    meetingInfo: null,
    callOptions: null,
    ...overrides,
  };
}

/** An established call with `queued` prompts asked for (the first running); its events are still uncommitted. */
export function establishedCallWithPrompts(
  queued: number,
  clientContext: string | null = null,
  owner = TEST_OWNER,
  description = testCallDescription(),
): { call: Call; ids: string[] } {
  const call = Call.create(owner, description, new Date());
  call.establish(new Date());
  const ids = Array.from({ length: queued }, () => call.playPrompt(TEST_PROMPTS, clientContext, new Date()).id);
  return { call, ids };
}
