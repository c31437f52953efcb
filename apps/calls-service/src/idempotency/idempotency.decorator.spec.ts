import { IdempotencyRequest } from '@calls/application';
import { idempotencyOf, KeyedRequest } from './idempotency.decorator';

/** A request as the decorator sees it: its method, path with a query, headers and parsed body. */
function request(headers: Record<string, string>, { method = 'POST', body = { b: 1, a: 2 } as unknown } = {}) {
  return { method, url: '/communications/calls/c/playPrompt?x=1', body, headers } as unknown as KeyedRequest;
}

describe(idempotencyOf.name, () => {
  it('hands the command the key and a fingerprint of path and body that ignores key order and the query', () => {
    const first = request({ 'idempotency-key': 'k1' }, { body: { b: 1, a: [2, { d: 1, c: 2 }] } });
    const reordered = request({ 'idempotency-key': 'k1' }, { body: { a: [2, { c: 2, d: 1 }], b: 1 } });
    const other = request({ 'idempotency-key': 'k1' }, { body: { a: [2], b: 1 } });
    const keyed = idempotencyOf(first)!;
    expect(keyed).toBeInstanceOf(IdempotencyRequest);
    expect(keyed.key).toBe('k1');
    expect(keyed.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(first.idempotency).toBe(keyed); // for the Idempotent-Replayed header once the command ran
    expect(idempotencyOf(reordered)!.fingerprint).toBe(keyed.fingerprint);
    expect(idempotencyOf(other)!.fingerprint).not.toBe(keyed.fingerprint);
  });

  it('fingerprints an action and its namespace-qualified name alike, and other actions apart', () => {
    const at = (url: string) =>
      idempotencyOf({ ...request({ 'idempotency-key': 'k1' }), url } as unknown as KeyedRequest)!.fingerprint;
    const plain = at('/communications/calls/c/playPrompt');
    expect(at('/communications/calls/c/microsoft.graph.playPrompt')).toBe(plain);
    expect(at('/communications/calls/c/recordResponse')).not.toBe(plain);
  });

  it('leaves requests without a key, and other methods, alone', () => {
    const unkeyed = request({});
    const deleted = request({ 'idempotency-key': 'k1' }, { method: 'DELETE' });
    expect([idempotencyOf(unkeyed), idempotencyOf(deleted)]).toEqual([undefined, undefined]);
    expect([unkeyed.idempotency, deleted.idempotency]).toEqual([undefined, undefined]);
  });

  it('refuses a key that is not 1 to 128 printable characters with 400 invalidRequest', () => {
    for (const key of ['k'.repeat(129), 'with space', 'tab\there', 'é']) {
      expect(() => idempotencyOf(request({ 'idempotency-key': key }))).toThrow(
        expect.objectContaining({ code: 'invalidRequest', status: 400 }),
      );
    }
    expect(idempotencyOf(request({ 'idempotency-key': 'k'.repeat(128) }))!.key).toHaveLength(128);
  });
});
