import { createPublicKey } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as jwt from 'jsonwebtoken';
import request from 'supertest';
import { CallbackReceiver, ReceivedNotification } from '../support/callback-receiver';
import { until } from '../support/waits';
import { createSqliteDatabase, TestDatabase } from '../support/test-databases';
import { notifiedCall, OWNER, PROMPT, startTestApp, TestApp } from '../support/test-app';

/** The embedded default notifies bots without a broker: outbox -> in-process notifier -> callbackUri. */
describe('notifications to the bot (HTTP, SQLite, no broker)', () => {
  let database: TestDatabase;
  let service: TestApp;
  let receiver: CallbackReceiver;

  beforeAll(async () => {
    receiver = new CallbackReceiver();
    await receiver.start();
    database = await createSqliteDatabase();
    service = await startTestApp(database, { OUTBOX_POLL_MS: '50', NOTIFIER_POLL_MS: '50' });
  });

  afterAll(async () => {
    await service?.close();
    await receiver?.stop();
    await database?.drop();
  });

  it('tells the bot the call is established and that each cancelled prompt ended, signed for the bot', async () => {
    const auth = `Bearer ${service.token()}`;
    const api = () => request(service.url);
    const callId = await notifiedCall(service, receiver);
    const prompts = [];
    for (let i = 0; i < 2; i++) {
      prompts.push(
        (
          await api()
            .post(`/communications/calls/${callId}/playPrompt`)
            .set('Authorization', auth)
            .send({ prompts: [PROMPT] })
        ).body.id,
      );
    }
    await api().post(`/communications/calls/${callId}/cancelMediaProcessing`).set('Authorization', auth).send({});

    await receiver.receivedAtLeast(4);
    const changes = receiver.received.map((n) => [n.body.value[0].changeType, n.body.value[0].resourceUrl]);
    expect(changes).toEqual([
      ['updated', `/communications/calls/${callId}`],
      ['updated', `/communications/calls/${callId}`],
      ['deleted', `/communications/calls/${callId}/operations/${prompts[0]}`],
      ['deleted', `/communications/calls/${callId}/operations/${prompts[1]}`],
    ]);
    expect(receiver.received.slice(0, 2).map((n) => n.body.value[0].resourceData.state)).toEqual([
      'establishing',
      'established',
    ]);
    expect(receiver.received[2].body.value[0].resourceData).toMatchObject({
      status: 'failed',
      resultInfo: { code: 400, subcode: 8508 },
    });

    const jwks = await api().get('/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    const token = String(receiver.received[2].headers.authorization).replace(/^Bearer /, '');
    const { kid } = jwt.decode(token, { complete: true })!.header;
    const key = (jwks.body.keys as { kid: string }[]).find((k) => k.kid === kid)!;
    const claims = jwt.verify(token, createPublicKey({ key: { ...key }, format: 'jwk' }), {
      algorithms: ['RS256'],
      audience: OWNER.appId,
    }) as jwt.JwtPayload;
    expect(claims.tid).toBe(OWNER.tenantId);
  });

  it("is validated by a stock OIDC/JWT validator (jose) pointed at the service's openid-configuration", async () => {
    const callId = await notifiedCall(service, receiver);
    const aboutCall = (n: ReceivedNotification) => n.body.value[0].resourceUrl === `/communications/calls/${callId}`;
    await until(() => receiver.received.some(aboutCall));
    const callback = receiver.received.find(aboutCall)!;
    const token = String(callback.headers.authorization).replace(/^Bearer /, '');

    // What a bot does, given only the service's address and its own app id.
    const discovery = (await (await fetch(`${service.url}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
      jwks_uri: string;
      id_token_signing_alg_values_supported: string[];
    };
    expect(discovery).toEqual({
      issuer: 'calls-service',
      jwks_uri: `${service.url}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ['RS256'],
    });
    const keys = createRemoteJWKSet(new URL(discovery.jwks_uri));
    const { payload } = await jwtVerify(token, keys, {
      issuer: discovery.issuer,
      audience: OWNER.appId,
      algorithms: discovery.id_token_signing_alg_values_supported,
    });
    expect(payload.tid).toBe(OWNER.tenantId);

    // The same validator refuses a token meant for another bot, and a tampered one.
    await expect(jwtVerify(token, keys, { issuer: discovery.issuer, audience: 'app-b' })).rejects.toThrow(/aud/);
    const [header, body, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...payload, tid: 'tenant-b' })).toString('base64url');
    await expect(jwtVerify(`${header}.${forged}.${signature}`, keys)).rejects.toThrow(/signature/);
    expect(body).not.toBe(forged);
  });
});
