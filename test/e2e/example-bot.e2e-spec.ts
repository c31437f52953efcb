import { generateKeyPairSync } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import { runBot } from '../../examples/bot/bot';
import { startCallbackEndpoint, CallbackEndpoint } from '../../examples/bot/callback-endpoint';
import { Deployment, startDeployment } from '../support/deployment';
import { OWNER } from '../support/test-app';

/**
 * examples/bot, the official Graph SDK's calls through the bot's whole
 * scenario, against the compiled service and notifier (processes,
 * PostgreSQL, RabbitMQ). When the API or the notifications change under it,
 * this breaks the build.
 */
describe('examples/bot against the running service and notifier (processes, PostgreSQL, RabbitMQ)', () => {
  let deployment: Deployment;
  let serviceUrl: string;
  let callbacks: CallbackEndpoint;

  beforeAll(async () => {
    deployment = await startDeployment('example-bot', { notifier: true });
    serviceUrl = deployment.serviceUrl;
    callbacks = await startCallbackEndpoint({ serviceUrl, appId: OWNER.appId });
  }, 180_000);

  afterAll(async () => {
    await callbacks?.close();
    await deployment?.stop();
  });

  it('creates a call, plays and cancels a prompt, keeps the call alive and hangs up, validating every callback', async () => {
    const token = deployment.token();
    const steps: string[] = [];
    const run = await runBot({ serviceUrl, token, appId: OWNER.appId, callbacks, log: (line) => steps.push(line) });

    expect(run.cancel.additionalData?.cancelledOperations).toMatchObject([{ id: run.prompt.id }]);
    // Graph's cancelled prompt: it ends failed and says why (resultInfo 400/8508).
    expect(run.promptEnded.resourceData).toMatchObject({
      id: run.prompt.id,
      status: 'failed',
      resultInfo: { code: 400, subcode: 8508 },
    });
    expect(run.terminated.resourceData).toMatchObject({ state: 'terminated' });
    expect(steps).toEqual([
      `1. created call ${run.callId} (establishing)`,
      '   callback: established',
      `2. playing prompt ${run.prompt.id}`,
      `3. cancel ${run.cancel.id} ended ${run.prompt.id}`,
      '   callback: prompt failed, resultInfo 400/8508',
      '4. keepAlive sent',
      '5. hung up; callback: terminated',
    ]);
    expect(callbacks.refused).toBe(0);
  });

  it("refuses a callback that the service's keys did not sign", async () => {
    const { issuer } = (await (await fetch(`${serviceUrl}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
    };
    // The right issuer and audience, signed with a key of someone else's.
    const forged = jwt.sign({ tid: OWNER.tenantId }, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, {
      algorithm: 'RS256',
      keyid: 'forged',
      issuer,
      audience: OWNER.appId,
      expiresIn: 60,
    });
    const before = callbacks.refused;
    const response = await fetch(callbacks.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${forged}`, 'content-type': 'application/json' },
      body: JSON.stringify({ value: [] }),
    });
    expect(response.status).toBe(401);
    expect(callbacks.refused).toBe(before + 1);
  });
});
