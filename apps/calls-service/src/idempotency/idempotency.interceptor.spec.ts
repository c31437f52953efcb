import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { lastValueFrom, of, throwError } from 'rxjs';
import type { IdempotencyBegin, IdempotencyStore, StoredResponse } from '@calls/application';
import { IdempotencyInterceptor } from './idempotency.interceptor';

const principal = { tenantId: 't', appId: 'a', roles: ['Calls.Initiate.All'] };

/** A request through the interceptor: its headers, and what the handler does if it gets to run. */
function run(
  store: IdempotencyStore,
  headers: Record<string, string>,
  handler: () => ReturnType<CallHandler['handle']>,
  method = 'POST',
) {
  const replyHeaders: Record<string, string> = {};
  const routeHandler = () => undefined;
  Reflect.defineMetadata(HTTP_CODE_METADATA, 200, routeHandler);
  const context = {
    getHandler: () => routeHandler,
    switchToHttp: () => ({
      getRequest: () => ({
        method,
        url: '/communications/calls/c/playPrompt',
        body: { b: 1, a: 2 },
        headers,
        user: principal,
      }),
      getResponse: () => ({
        header: (name: string, value: string) => (replyHeaders[name.toLowerCase()] = value),
        getHeader: (name: string) => replyHeaders[name.toLowerCase()],
      }),
    }),
  } as unknown as ExecutionContext;
  const calls = { handler: 0 };
  const next: CallHandler = {
    handle: () => {
      calls.handler += 1;
      return handler();
    },
  };
  const answer = lastValueFrom(new IdempotencyInterceptor(store, new Reflector()).intercept(context, next));
  return { answer, calls, replyHeaders };
}

function storeAnswering(begin: IdempotencyBegin) {
  return {
    begin: jest.fn(async () => begin),
    complete: jest.fn(async (_owner: unknown, _key: string, _response: StoredResponse) => undefined),
    release: jest.fn(async () => undefined),
  };
}

describe(IdempotencyInterceptor.name, () => {
  it('runs a keyed POST once and stores its answer under the key, for this application and tenant', async () => {
    const store = storeAnswering({ outcome: 'proceed' });
    const { answer, calls } = run(store, { 'idempotency-key': 'k1' }, () => of({ id: 'op' }));
    expect(await answer).toEqual({ id: 'op' });
    expect(calls.handler).toBe(1);
    expect(store.begin).toHaveBeenCalledWith(
      { tenantId: 't', appId: 'a' },
      'k1',
      expect.stringMatching(/^[0-9a-f]{64}$/),
      expect.any(Date),
    );
    expect(store.complete).toHaveBeenCalledWith(
      { tenantId: 't', appId: 'a' },
      'k1',
      { status: 200, body: { id: 'op' }, location: null },
      expect.any(Date),
    );
  });

  it('replays the first answer to a retry without running the handler', async () => {
    const store = storeAnswering({
      outcome: 'replay',
      response: { status: 200, body: { id: 'first' }, location: 'https://x/op' },
    });
    const { answer, calls, replyHeaders } = run(store, { 'idempotency-key': 'k1' }, () => of({ id: 'second' }));
    expect(await answer).toEqual({ id: 'first' });
    expect(calls.handler).toBe(0);
    expect(replyHeaders).toMatchObject({ location: 'https://x/op', 'idempotent-replayed': 'true' });
  });

  it.each([
    ['the key with another body', { outcome: 'mismatch' } as const, { status: 422, code: 'unprocessableEntity' }],
    ['the key while the first is still running', { outcome: 'inProgress' } as const, { status: 409, code: 'conflict' }],
  ])('refuses %s, and runs nothing', async (_case, begin, refusal) => {
    const store = storeAnswering(begin);
    const { answer, calls } = run(store, { 'idempotency-key': 'k1' }, () => of({}));
    await expect(answer).rejects.toMatchObject({ code: refusal.code, status: refusal.status });
    expect(calls.handler).toBe(0);
    expect(store.complete).not.toHaveBeenCalled();
  });

  it('gives the key up when the request failed, so a retry runs again', async () => {
    const store = storeAnswering({ outcome: 'proceed' });
    const { answer } = run(store, { 'idempotency-key': 'k1' }, () => throwError(() => new Error('boom')));
    await expect(answer).rejects.toThrow('boom');
    expect(store.release).toHaveBeenCalledWith({ tenantId: 't', appId: 'a' }, 'k1');
    expect(store.complete).not.toHaveBeenCalled();
  });

  it.each([
    ["only Graph's client-request-id", { 'client-request-id': 'c1' }, 'POST'],
    ['no key at all', {}, 'POST'],
    ['a GET with a key', { 'idempotency-key': 'k1' }, 'GET'],
  ])('leaves alone a request with %s: it runs, and nothing is stored', async (_case, headers, method) => {
    const store = storeAnswering({ outcome: 'proceed' });
    const { answer, calls } = run(store, headers, () => of({ id: 'op' }), method);
    expect(await answer).toEqual({ id: 'op' });
    expect(calls.handler).toBe(1);
    expect(store.begin).not.toHaveBeenCalled();
  });

  it('refuses a key that is not 1 to 128 printable characters, before touching the store', async () => {
    const store = storeAnswering({ outcome: 'proceed' });
    const { answer } = run(store, { 'idempotency-key': 'k'.repeat(129) }, () => of({}));
    await expect(answer).rejects.toMatchObject({ code: 'invalidRequest', status: 400 });
    expect(store.begin).not.toHaveBeenCalled();
  });
});
