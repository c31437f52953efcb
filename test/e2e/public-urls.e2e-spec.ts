import request from 'supertest';
import { createPostgresDatabase, TestDatabase } from '../support/test-databases';
import { CREATE_CALL_BODY, startTestApp, TestApp } from '../support/test-app';

const FORWARDED = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'calls.example.com' };

/**
 * The absolute URLs the service writes (Location, the discovery document's
 * jwks_uri) behind a TLS-terminating ingress (HTTP, PostgreSQL).
 */
describe('absolute URLs behind a proxy (HTTP, PostgreSQL)', () => {
  let database: TestDatabase;
  const services: Record<'direct' | 'trustProxy' | 'publicBase', TestApp> = {} as never;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    services.direct = await startTestApp(database);
    services.trustProxy = await startTestApp(database, { TRUST_PROXY: '127.0.0.1' });
    services.publicBase = await startTestApp(database, {
      PUBLIC_BASE_URL: 'https://calls.example.net/',
      TRUST_PROXY: 'true',
    });
  });

  afterAll(async () => {
    for (const service of Object.values(services)) await service?.close();
    await database?.drop();
  });

  async function locationOf(service: TestApp, headers: Record<string, string>, prefix = ''): Promise<string> {
    const created = await request(service.url)
      .post(`${prefix}/communications/calls`)
      .set('Authorization', `Bearer ${service.token()}`)
      .set(headers)
      .send(CREATE_CALL_BODY);
    expect(created.status).toBe(201);
    return created.headers.location;
  }

  it("uses the request's own host without configuration, and ignores X-Forwarded-* it has no reason to trust", async () => {
    const location = await locationOf(services.direct, FORWARDED);
    expect(location).toMatch(new RegExp(`^${services.direct.url}/communications/calls/[0-9a-f-]{36}$`));
  });

  it('honours X-Forwarded-Proto and X-Forwarded-Host from a trusted proxy (TRUST_PROXY)', async () => {
    expect(await locationOf(services.trustProxy, FORWARDED, '/v1.0')).toMatch(
      /^https:\/\/calls\.example\.com\/v1\.0\/communications\/calls\/[0-9a-f-]{36}$/,
    );
    // Without the headers, the proxy's own address is still the request's host.
    expect(await locationOf(services.trustProxy, {})).toMatch(new RegExp(`^${services.trustProxy.url}/`));
  });

  it('writes PUBLIC_BASE_URL whatever the request says, in Location and in the discovery document', async () => {
    expect(await locationOf(services.publicBase, FORWARDED)).toMatch(
      /^https:\/\/calls\.example\.net\/communications\/calls\/[0-9a-f-]{36}$/,
    );
    const callId = (await locationOf(services.publicBase, {})).split('/').pop();
    const prompt = await request(services.publicBase.url)
      .post(`/beta/communications/calls/${callId}/subscribeToTone`)
      .set('Authorization', `Bearer ${services.publicBase.token()}`)
      .send({});
    expect(prompt.headers.location).toBe(
      `https://calls.example.net/beta/communications/calls/${callId}/operations/${prompt.body.id}`,
    );
    const discovery = await request(services.publicBase.url).get('/.well-known/openid-configuration');
    expect(discovery.body).toMatchObject({
      issuer: 'https://calls.example.net',
      jwks_uri: 'https://calls.example.net/.well-known/jwks.json',
    });
  });
});
