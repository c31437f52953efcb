import { createHmac, createPublicKey, randomUUID } from 'node:crypto';
import request from 'supertest';
import { JwksServer, newSigningKey, signRaw, signWith, SigningKey } from '../support/jwks-server';
import { createSqliteDatabase, TestDatabase } from '../support/test-databases';
import { startTestApp, TestApp } from '../support/test-app';

const ISSUERS = ['https://login.example.test/tenant-a/v2.0', 'https://login.example.test/tenant-b/v2.0'];
const AUDIENCE = 'api://calls-service';
const now = () => Math.floor(Date.now() / 1000);

/** Production identity mode against a JWKS the test serves: every attack gets 401 or 403 with Graph's body. */
describe('identity (HTTP, JWKS identity provider)', () => {
  let database: TestDatabase;
  let service: TestApp;
  let jwks: JwksServer;
  let key: SigningKey;

  const claims = (overrides: Record<string, unknown> = {}) => ({
    iss: ISSUERS[0],
    aud: AUDIENCE,
    tid: 'tenant-a',
    azp: 'app-a',
    roles: ['Calls.Initiate.All'],
    iat: now(),
    nbf: now() - 5,
    exp: now() + 600,
    ...overrides,
  });

  beforeAll(async () => {
    jwks = new JwksServer();
    key = newSigningKey();
    jwks.keys = [key];
    await jwks.start();
    database = await createSqliteDatabase();
    service = await startTestApp(database, {
      AUTH_JWKS_URI: jwks.url,
      AUTH_ISSUER: ISSUERS.join(','),
      AUTH_AUDIENCE: AUDIENCE,
    });
  });

  afterAll(async () => {
    await service?.close();
    await jwks?.stop();
    await database?.drop();
  });

  /** A request any principal with a calls role may make: an unknown call, so 404 means "let in". */
  const probe = (authorization?: string) => {
    const req = request(service.url).get('/communications/calls/00000000-0000-4000-8000-000000000001');
    return authorization === undefined ? req : req.set('Authorization', authorization);
  };

  async function expectRefused(authorization: string | undefined, status: 401 | 403, message?: RegExp) {
    const res = await probe(authorization);
    expect({ status: res.status, code: res.body.error?.code }).toEqual({
      status,
      code: status === 401 ? 'InvalidAuthenticationToken' : 'accessDenied',
    });
    expect(res.body.error.innerError['request-id']).toBe(res.headers['request-id']);
    if (message) expect(res.body.error.message).toMatch(message);
    if (authorization) expect(JSON.stringify(res.body)).not.toContain(authorization.replace(/^\S+\s+/, ''));
  }

  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('lets a valid token of either configured issuer in', async () => {
    expect((await probe(`Bearer ${signWith(key, claims())}`)).status).toBe(404);
    expect((await probe(`Bearer ${signWith(key, claims({ iss: ISSUERS[1], tid: 'tenant-b' }))}`)).status).toBe(404);
  });

  it.each([
    ['no token', () => undefined, /empty/],
    ['garbage', () => 'Bearer not-a-token', /^Access token validation failure\. The token is not a JWT/],
    ['the Bearer scheme missing', () => signWith(key, claims()), /must be 'Bearer <access token>'/],
    ['the Bearer scheme misspelled', () => `Bearer_ ${signWith(key, claims())}`, /must be 'Bearer <access token>'/],
    ['alg none', () => `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`, /validation failure/],
    [
      'HS256 signed with the public key as secret',
      () => {
        const secret = createPublicKey(key.privateKey).export({ type: 'spki', format: 'pem' });
        const unsigned = `${b64({ alg: 'HS256', typ: 'JWT', kid: key.kid })}.${b64(claims())}`;
        return `Bearer ${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
      },
      /validation failure/,
    ],
    ['a key not in the JWKS', () => `Bearer ${signWith(newSigningKey(), claims())}`, /kid is missing or unknown/],
    [
      'a kid of the JWKS on another key',
      () => `Bearer ${signWith(newSigningKey(), claims(), { kid: key.kid })}`,
      /signature/,
    ],
    ['no kid', () => `Bearer ${signWith(key, claims(), { kid: null })}`, /kid is missing or unknown/],
    ['an expired token', () => `Bearer ${signWith(key, claims({ exp: now() - 120 }))}`, /expired/],
    ['nbf beyond the clock tolerance', () => `Bearer ${signWith(key, claims({ nbf: now() + 300 }))}`, /not yet valid/],
    ['the wrong audience', () => `Bearer ${signWith(key, claims({ aud: 'api://other' }))}`, /audience/],
    ['the wrong issuer', () => `Bearer ${signWith(key, claims({ iss: 'https://evil.example.test/' }))}`, /issuer/],
    ['an oversized token', () => `Bearer ${signWith(key, claims({ pad: 'x'.repeat(10_000) }))}`, /too large/],
    [
      'iat beyond the clock tolerance in the future',
      () => `Bearer ${signWith(key, claims({ iat: now() + 300 }))}`,
      /issued in the future/,
    ],
    ['exp not after iat', () => `Bearer ${signWith(key, claims({ iat: now() - 10, exp: now() - 10 }))}`, /exp <= iat/],
    ['nbf after exp', () => `Bearer ${signWith(key, claims({ nbf: now() + 20, exp: now() + 10 }))}`, /nbf > exp/],
    ['no exp', () => `Bearer ${signRaw(key, { ...claims(), exp: undefined })}`, /no expiry/],
    ['iat that is not a number', () => `Bearer ${signRaw(key, claims({ iat: 'yesterday' }))}`, /iat/],
  ])('401 for %s, every time it is sent', async (_what, authorization, message) => {
    const token = authorization();
    // Twice: a refusal is never remembered, so the second try is judged as the first.
    await expectRefused(token, 401, message);
    await expectRefused(token, 401, message);
  });

  it('trusts a token it let in no longer than the token allows, however often it is sent', async () => {
    // Expired 28 s ago: still inside the 30 s clock tolerance, outside it within 3 s.
    const nearlyOut = `Bearer ${signWith(key, claims({ iat: now() - 60, nbf: now() - 60, exp: now() - 28 }))}`;
    expect((await probe(nearlyOut)).status).toBe(404);
    expect((await probe(nearlyOut)).status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    await expectRefused(nearlyOut, 401, /expired/);
    // A token that passed once does not make a tampered copy of itself pass.
    const valid = signWith(key, claims());
    expect((await probe(`Bearer ${valid}`)).status).toBe(404);
    const [header, , signature] = valid.split('.');
    await expectRefused(`Bearer ${header}.${b64(claims({ tid: 'tenant-b' }))}.${signature}`, 401, /signature/);
  });

  it('answers headers over the server limit with 431 and a Graph error body', async () => {
    const res = await probe(`Bearer ${'x'.repeat(20_000)}`);
    expect(res.status).toBe(431);
    expect(res.body.error).toMatchObject({ code: 'requestTooLarge' });
  });

  it('accepts nbf and iat a few seconds ahead, within the documented clock tolerance', async () => {
    expect((await probe(`Bearer ${signWith(key, claims({ nbf: now() + 10 }))}`)).status).toBe(404);
    expect((await probe(`Bearer ${signWith(key, claims({ iat: now() + 10 }))}`)).status).toBe(404);
  });

  it('trusts a cached token no longer than its exp, however short its life, so the cache widens no window', async () => {
    // Valid for 2 s from now: let in, cached, and refused once exp and the clock tolerance pass.
    const brief = `Bearer ${signWith(key, claims({ iat: now() - 30, exp: now() + 2 }))}`;
    expect((await probe(brief)).status).toBe(404);
    expect((await probe(brief)).status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    // Past exp but inside the 30 s tolerance: still let in, as without the cache.
    expect((await probe(brief)).status).toBe(404);
  });

  it.each([
    ['a delegated token', { scp: 'Calls.Initiate' }, /Delegated/],
    ['a personal-account tenant', { tid: '9188040d-6c67-4c5b-b112-36a304b66dad' }, /Personal/],
    ['no roles', { roles: [] }, /permission/],
    ['a role that grants something else', { roles: ['User.Read.All'] }, /permission/],
  ])('403 for %s', async (_what, overrides, message) => {
    await expectRefused(`Bearer ${signWith(key, claims(overrides))}`, 403, message);
  });

  it('takes a rotated-in key without a restart, and a flood of unknown kids cannot hammer the JWKS', async () => {
    const next = newSigningKey();
    jwks.keys = [key, next];
    expect((await probe(`Bearer ${signWith(next, claims())}`)).status).toBe(404);

    const stranger = newSigningKey();
    const before = jwks.fetches;
    for (let i = 0; i < 30; i++) {
      await expectRefused(`Bearer ${signWith(stranger, claims(), { kid: randomUUID() })}`, 401);
    }
    expect(jwks.fetches - before).toBeLessThanOrEqual(10);
  });
});
