import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { lastValueFrom, Observable, of, throwError } from 'rxjs';
import { IdempotencyKeyReusedError, IdempotencyRequest } from '@calls/application';
import { IdempotencyInterceptor, KeyedRequest } from './idempotency.interceptor';

/** A request through the interceptor: its headers and body, and what the handler does with the request it sees. */
function run(
  headers: Record<string, string>,
  handler: (request: KeyedRequest) => Observable<unknown>,
  { method = 'POST', body = { b: 1, a: 2 } as unknown } = {},
) {
  const replyHeaders: Record<string, string> = {};
  const request = { method, url: '/communications/calls/c/playPrompt?x=1', body, headers } as unknown as KeyedRequest;
  const context = {
    switchToHttp: () => ({
      getRequest: () => request,
      getResponse: () => ({ header: (name: string, value: string) => (replyHeaders[name.toLowerCase()] = value) }),
    }),
  } as unknown as ExecutionContext;
  const calls = { handler: 0 };
  const next: CallHandler = {
    handle: () => {
      calls.handler += 1;
      return handler(request);
    },
  };
  const answer = lastValueFrom(new IdempotencyInterceptor().intercept(context, next));
  return { answer, calls, replyHeaders, request };
}

describe(IdempotencyInterceptor.name, () => {
  it('hands the command the key and a fingerprint of path and body that ignores key order and the query', async () => {
    const first = run({ 'idempotency-key': 'k1' }, () => of('ok'), { body: { b: 1, a: [2, { d: 1, c: 2 }] } });
    const reordered = run({ 'idempotency-key': 'k1' }, () => of('ok'), { body: { a: [2, { c: 2, d: 1 }], b: 1 } });
    const other = run({ 'idempotency-key': 'k1' }, () => of('ok'), { body: { a: [2], b: 1 } });
    await Promise.all([first.answer, reordered.answer, other.answer]);
    expect(first.request.idempotency).toBeInstanceOf(IdempotencyRequest);
    expect(first.request.idempotency!.key).toBe('k1');
    expect(first.request.idempotency!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(reordered.request.idempotency!.fingerprint).toBe(first.request.idempotency!.fingerprint);
    expect(other.request.idempotency!.fingerprint).not.toBe(first.request.idempotency!.fingerprint);
    expect(first.replyHeaders['idempotent-replayed']).toBeUndefined();
  });

  it('marks an answer the command replayed with Idempotent-Replayed: true', async () => {
    const { answer, replyHeaders } = run({ 'idempotency-key': 'k1' }, (request) => {
      request.idempotency!.markReplayed();
      return of({ id: 'first' });
    });
    expect(await answer).toEqual({ id: 'first' });
    expect(replyHeaders['idempotent-replayed']).toBe('true');
  });

  it('answers 422 when the command found the key used for another request', async () => {
    const { answer } = run({ 'idempotency-key': 'k1' }, () => throwError(() => new IdempotencyKeyReusedError('k1')));
    await expect(answer).rejects.toMatchObject({ code: 'unprocessableEntity', status: 422 });
  });

  it('passes other errors through as they are', async () => {
    const failure = new Error('database down');
    const { answer } = run({ 'idempotency-key': 'k1' }, () => throwError(() => failure));
    await expect(answer).rejects.toBe(failure);
  });

  it('leaves requests without a key, and other methods, alone', async () => {
    const unkeyed = run({}, () => of('ok'));
    const deleted = run({ 'idempotency-key': 'k1' }, () => of('ok'), { method: 'DELETE' });
    expect([await unkeyed.answer, await deleted.answer]).toEqual(['ok', 'ok']);
    expect([unkeyed.request.idempotency, deleted.request.idempotency]).toEqual([undefined, undefined]);
  });

  it('refuses a key that is not 1 to 128 printable characters, before the handler runs', async () => {
    for (const key of ['k'.repeat(129), 'with space', 'tab\there', 'é']) {
      const { answer, calls } = run({ 'idempotency-key': key }, () => of({}));
      await expect(answer).rejects.toMatchObject({ code: 'invalidRequest', status: 400 });
      expect(calls.handler).toBe(0);
    }
  });
});
