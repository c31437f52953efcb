import { idempotencyOf, KeyedRequest } from './idempotency.decorator';
import { registerReplayedHeader } from './idempotency.hook';

const request = (headers: Record<string, string>) =>
  ({ method: 'POST', url: '/communications/calls/c/playPrompt', body: {}, headers }) as unknown as KeyedRequest;

describe(registerReplayedHeader.name, () => {
  type OnSend = (request: KeyedRequest, reply: unknown, payload: unknown, done: (e: null, p: unknown) => void) => void;
  let onSend: OnSend;
  registerReplayedHeader({
    addHook: ((name: string, hook: OnSend) => {
      if (name === 'onSend') onSend = hook;
    }) as never,
  });
  const send = (keyed: KeyedRequest) => {
    const headers: Record<string, string> = {};
    let sent: unknown;
    onSend(keyed, { header: (name: string, value: string) => (headers[name] = value) }, 'body', (_, payload) => {
      sent = payload;
    });
    return { headers, sent };
  };

  it('marks an answer the command replayed with Idempotent-Replayed: true, and no other', () => {
    const replayed = request({ 'idempotency-key': 'k1' });
    idempotencyOf(replayed)!.markReplayed();
    expect(send(replayed)).toEqual({ headers: { 'Idempotent-Replayed': 'true' }, sent: 'body' });
    const first = request({ 'idempotency-key': 'k2' });
    idempotencyOf(first);
    expect(send(first)).toEqual({ headers: {}, sent: 'body' });
    expect(send(request({}))).toEqual({ headers: {}, sent: 'body' });
  });
});
