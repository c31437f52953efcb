import { GraphHttpError } from '@calls/graph';
import { CallbackPolicy } from './callback.policy';

describe(CallbackPolicy.name, () => {
  const built = (nodeEnv: string) => new CallbackPolicy({ production: nodeEnv === 'production' });

  it('in production, refuses a callbackUri that reaches a non-public address with 400 invalidRequest', async () => {
    const refusal = await built('production')
      .assertAllowed('https://127.0.0.1/callback')
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(GraphHttpError);
    expect(refusal).toMatchObject({ status: 400, code: 'invalidRequest' });
    expect((refusal as Error).message).toMatch(/^callbackUri is not allowed: /);
  });

  it('in production, refuses a loopback http callbackUri as Graph does: https only', async () => {
    const refusal = await built('production')
      .assertAllowed('http://127.0.0.1:4000/callback')
      .catch((error: unknown) => error);
    expect(refusal).toMatchObject({
      status: 400,
      code: 'invalidRequest',
      message: 'callbackUri must be an absolute https URL',
    });
  });

  it('elsewhere, lets loopback receivers be used for development and tests', async () => {
    await expect(built('development').assertAllowed('http://127.0.0.1:4000/callback')).resolves.toBeUndefined();
  });
});
