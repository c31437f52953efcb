import request from 'supertest';
import { DataSource } from 'typeorm';
import { createPostgresDatabase, TestDatabase } from '../support/test-databases';
import { CREATE_CALL_BODY, eventually, PROMPT, startTestApp, TestApp } from '../support/test-app';

/**
 * Two service instances on one PostgreSQL, many clients acting on the same
 * calls at once (prompts, recordings, cancels, hang-ups) while the media
 * planes report. Afterwards the stored state must obey the queue's rules.
 */
describe('races across two instances (HTTP, PostgreSQL)', () => {
  let database: TestDatabase;
  let instances: TestApp[];
  let db: DataSource;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    const env = { SIMULATED_PROMPT_MS: '40', THROTTLE_LIMIT: '1000000' };
    instances = [await startTestApp(database, env), await startTestApp(database, env)];
    db = instances[0].app.get(DataSource);
  });

  afterAll(async () => {
    for (const instance of instances ?? []) await instance.close();
    await database?.drop();
  });

  it('keeps one running operation per call, the queue order, one end per operation, and its events', async () => {
    const auth = `Bearer ${instances[0].token()}`;
    const calls: string[] = [];
    for (let i = 0; i < 4; i++) {
      const id = (
        await request(instances[i % 2].url)
          .post('/communications/calls')
          .set('Authorization', auth)
          .send(CREATE_CALL_BODY)
      ).body.id;
      await eventually(
        () => request(instances[0].url).get(`/communications/calls/${id}`).set('Authorization', auth),
        (res) => res.body.state === 'established',
      );
      calls.push(id);
    }

    const statuses: number[] = [];
    const actions = ['playPrompt', 'playPrompt', 'recordResponse', 'cancelMediaProcessing', 'subscribeToTone'];
    let n = 0;
    const client = async (c: number) => {
      for (let i = 0; i < 40; i++) {
        n += 1;
        const callId = calls[(c + i) % calls.length];
        const instance = instances[(c + i) % 2];
        // Near the end, one client hangs each call up while the others keep going.
        const hangUp = c === 0 && i >= 36;
        const action = actions[(c * 7 + i) % actions.length];
        const res = hangUp
          ? await request(instance.url).delete(`/communications/calls/${callId}`).set('Authorization', auth)
          : await request(instance.url)
              .post(`/communications/calls/${callId}/${action}`)
              .set('Authorization', auth)
              .send(
                action === 'playPrompt'
                  ? { prompts: [PROMPT] }
                  : action === 'recordResponse'
                    ? { maxRecordDurationInSeconds: 1 }
                    : {},
              );
        statuses.push(res.status);
      }
    };
    await Promise.all(Array.from({ length: 16 }, (_, c) => client(c)));
    expect(n).toBe(640);
    expect(statuses.filter((s) => s >= 500 && s !== 503)).toEqual([]);

    // Let the media planes finish what is still playing.
    await eventually(
      async () =>
        (await db.query(`SELECT count(*)::int AS n FROM media_operations WHERE status IN ('running', 'notStarted')`))[0]
          .n,
      (open: number) => open === 0,
      20_000,
    );

    const running = await db.query(
      `SELECT call_id, count(*)::int AS n FROM media_operations WHERE status = 'running' GROUP BY call_id HAVING count(*) > 1`,
    );
    expect(running).toEqual([]);
    const outOfOrder = await db.query(
      `SELECT a.id FROM media_operations a JOIN media_operations b ON a.call_id = b.call_id
       WHERE a.kind IN ('playPrompt', 'recordResponse') AND b.kind IN ('playPrompt', 'recordResponse')
         AND a.sequence < b.sequence AND a.started_at IS NOT NULL AND b.started_at IS NOT NULL AND a.started_at > b.started_at`,
    );
    expect(outOfOrder).toEqual([]);
    const states = await db.query(`SELECT DISTINCT status FROM media_operations`);
    for (const { status } of states) expect(['completed', 'failed']).toContain(status);

    const cancelled: { id: string }[] = await db.query(`SELECT id FROM media_operations WHERE result_subcode = 8508`);
    expect(cancelled.length).toBeGreaterThan(0);
    const endedEvents: { id: string }[] = await db.query(
      `SELECT payload->'operation'->>'id' AS id FROM outbox WHERE type = 'calls.v1.mediaOperation.ended'`,
    );
    const endedCount = new Map<string, number>();
    for (const { id } of endedEvents) endedCount.set(id, (endedCount.get(id) ?? 0) + 1);
    for (const { id } of cancelled) expect({ id, ended: endedCount.get(id) }).toEqual({ id, ended: 1 });
    // jsonb: the driver hands the list back parsed.
    const listed: { ids: { id: string }[] | null }[] = await db.query(
      `SELECT cancelled_operations AS ids FROM media_operations WHERE kind = 'cancelMediaProcessing'`,
    );
    const listedIds = listed.flatMap(({ ids }) => (ids ?? []).map((ref) => ref.id));
    expect(new Set(listedIds).size).toBe(listedIds.length); // no operation cancelled twice
    expect(new Set(listedIds)).toEqual(new Set(cancelled.map((c) => c.id)));
  });
});
