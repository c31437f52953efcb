import { randomUUID } from 'node:crypto';
import { PostgresRecordingStore, Recordings } from '@calls/media-plane';
import { createPostgresDatabase, TestDatabase } from '../support/test-databases';

/** The media gateway's recordings in PostgreSQL, where every replica finds them. */
describe('recordings in PostgreSQL', () => {
  let database: TestDatabase;
  let stores: PostgresRecordingStore[];

  beforeAll(async () => {
    database = await createPostgresDatabase();
  });
  beforeEach(() => {
    stores = [];
  });
  afterEach(async () => {
    for (const store of stores) await store.close();
  });
  afterAll(async () => {
    await database?.drop();
  });

  const replica = async (ttlSeconds = 60) => {
    const store = new PostgresRecordingStore(database.settings.databaseUrl!);
    stores.push(store);
    await store.start(); // creates its table once; a second start finds it
    return { store, recordings: new Recordings(store, 'https://media.example.test', ttlSeconds) };
  };

  it("is served by another replica, to the recording's own token only", async () => {
    const a = await replica();
    const b = await replica();
    const wav = Buffer.from('RIFF....WAVEfmt the bytes');
    const kept = await a.recordings.keep('call-1', 'op-1', wav);
    const id = kept.recordingLocation.split('/').pop()!;
    expect(kept.recordingLocation).toBe(`https://media.example.test/media/v1/recordings/${id}`);

    expect(await b.recordings.open(id, `Bearer ${kept.recordingAccessToken}`)).toEqual(wav);
    expect(await b.recordings.open(id, undefined)).toBe('unauthorized');
    expect(await b.recordings.open(id, kept.recordingAccessToken)).toBe('unauthorized');
    const other = await a.recordings.keep('call-1', 'op-2', wav);
    expect(await b.recordings.open(id, `Bearer ${other.recordingAccessToken}`)).toBe('unauthorized');
    expect(await b.recordings.open(randomUUID(), `Bearer ${kept.recordingAccessToken}`)).toBe('gone');
    expect(await b.recordings.open('not-an-id', `Bearer ${kept.recordingAccessToken}`)).toBe('gone');
  });

  it('is gone after its retention, and pruned', async () => {
    const { store, recordings } = await replica(1);
    const kept = await recordings.keep('call-2', 'op-1', Buffer.from('wav'));
    const id = kept.recordingLocation.split('/').pop()!;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await recordings.open(id, `Bearer ${kept.recordingAccessToken}`)).toBe('gone');
    expect(await store.prune(new Date())).toBeGreaterThanOrEqual(1);
    expect(await store.find(id, new Date(0))).toBeNull();
  });
});
