import request from 'supertest';
import { createSqliteDatabase } from '../support/test-databases';
import { CREATE_CALL_BODY, establishedCall, PROMPT, serviceForSuite } from '../support/test-app';

describe('isolation on every route, and input limits (HTTP, SQLite)', () => {
  const suite = serviceForSuite(createSqliteDatabase);

  const api = () => request(suite.service.url);

  it('answers another tenant and another app of the same tenant exactly as an unknown id, on every route, changing nothing', async () => {
    const callId = await establishedCall(suite.service);
    const opId = (
      await api()
        .post(`/communications/calls/${callId}/playPrompt`)
        .set('Authorization', suite.auth)
        .send({ prompts: [PROMPT] })
    ).body.id;
    const unknown = '00000000-0000-4000-8000-00000000beef';
    const routes = (id: string) =>
      [
        ['get', `/communications/calls/${id}`, undefined],
        ['get', `/communications/calls/${id}/operations/${opId}`, undefined],
        ['post', `/communications/calls/${id}/playPrompt`, { prompts: [PROMPT] }],
        ['post', `/communications/calls/${id}/recordResponse`, {}],
        ['post', `/communications/calls/${id}/subscribeToTone`, {}],
        ['post', `/communications/calls/${id}/cancelMediaProcessing`, {}],
        ['delete', `/communications/calls/${id}`, undefined],
      ] as const;
    const shape = (res: request.Response) => ({
      status: res.status,
      code: res.body.error?.code,
      message: res.body.error?.message,
    });

    for (const stranger of [{ tenantId: 'tenant-b' }, { appId: 'app-b' }]) {
      const token = `Bearer ${suite.service.token(stranger)}`;
      for (const [[verb, path, body], [, unknownPath]] of routes(callId).map(
        (r, i) => [r, routes(unknown)[i]] as const,
      )) {
        const theirs = await api()[verb](path).set('Authorization', token).send(body);
        const none = await api()[verb](unknownPath).set('Authorization', token).send(body);
        expect({ path, ...shape(theirs) }).toEqual({ path, ...shape(none) });
        expect(theirs.status).toBe(404);
      }
    }
    const after = await api().get(`/communications/calls/${callId}`).set('Authorization', suite.auth);
    expect(after.body.state).toBe('established');
    const op = await api().get(`/communications/calls/${callId}/operations/${opId}`).set('Authorization', suite.auth);
    expect(op.body.status).toBe('running');
  });

  it('refuses a body nested deeper than 32 levels with 400', async () => {
    let deep: unknown = {};
    for (let i = 0; i < 40; i++) deep = { a: deep };
    const res = await api()
      .post('/communications/calls')
      .set('Authorization', suite.auth)
      .send({ ...CREATE_CALL_BODY, source: deep });
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 400, code: 'invalidRequest' });
    expect(res.body.error.message).toMatch(/nests deeper than 32/);
  });
});
