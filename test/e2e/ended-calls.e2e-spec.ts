import { Client } from 'pg';
import request from 'supertest';
import { createPostgresDatabase } from '../support/test-databases';
import { eventually, establishedCall, PROMPT, serviceForSuite } from '../support/test-app';

/**
 * An ended call as Graph answers it, and for how long it is kept: every
 * action is "Call not found." (404) at once; the call's final state and its
 * operations are served for CALL_RETENTION_S, then deleted (HTTP, PostgreSQL).
 */
describe('ended calls (HTTP, PostgreSQL)', () => {
  const suite = serviceForSuite(createPostgresDatabase, { CALL_RETENTION_S: '2' });

  const get = (path: string) => request(suite.service.url).get(path).set('Authorization', suite.auth);

  /** Rows the database still holds for a call: the call's, and its operations'. */
  async function rowsOf(callId: string): Promise<{ calls: number; operations: number }> {
    const client = new Client({ connectionString: suite.database.settings.databaseUrl });
    await client.connect();
    try {
      const calls = await client.query('SELECT count(*)::int AS n FROM calls WHERE id = $1', [callId]);
      const operations = await client.query('SELECT count(*)::int AS n FROM media_operations WHERE call_id = $1', [
        callId,
      ]);
      return { calls: calls.rows[0].n, operations: operations.rows[0].n };
    } finally {
      await client.end();
    }
  }

  it('serves the ended call and its operations for CALL_RETENTION_S, then is gone (404) with its rows', async () => {
    const callId = await establishedCall(suite.service);
    const prompt = await request(suite.service.url)
      .post(`/communications/calls/${callId}/playPrompt`)
      .set('Authorization', suite.auth)
      .send({ prompts: [PROMPT] });
    const live = await establishedCall(suite.service);
    const hangUp = await request(suite.service.url)
      .delete(`/communications/calls/${callId}`)
      .set('Authorization', suite.auth);
    expect(hangUp.status).toBe(204);

    // Within the retention: the final state, why it ended, and what its operations did.
    const ended = await get(`/communications/calls/${callId}`);
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ state: 'terminated', resultInfo: { code: 200, subcode: 7000 } });
    expect((await get(`/communications/calls/${callId}/operations/${prompt.body.id}`)).body.status).toBe('failed');
    expect(await rowsOf(callId)).toEqual({ calls: 1, operations: 1 });

    // After it: gone, and so are its rows; a live call of the same bot is untouched.
    const gone = await eventually(
      () => get(`/communications/calls/${callId}`),
      (res) => res.status === 404,
      8_000,
    );
    expect({ status: gone.status, code: gone.body.error?.code, message: gone.body.error?.message }).toEqual({
      status: 404,
      code: 'itemNotFound',
      message: 'Call not found.',
    });
    expect((await get(`/communications/calls/${callId}/operations/${prompt.body.id}`)).status).toBe(404);
    expect((await get(`/communications/calls/${callId}/operations`)).status).toBe(404);
    expect(await rowsOf(callId)).toEqual({ calls: 0, operations: 0 });
    expect((await get(`/communications/calls/${live}`)).body.state).toBe('established');
  });
});
