import { GraphHttpError } from '@calls/graph';
import { CallbackPolicy } from './callback.policy';

describe(CallbackPolicy.name, () => {
  const built = (nodeEnv: string | undefined) => {
    const saved = process.env.NODE_ENV;
    process.env.NODE_ENV = nodeEnv;
    try {
      return new CallbackPolicy();
    } finally {
      process.env.NODE_ENV = saved;
    }
  };

  it('in production, refuses a callbackUri that reaches a non-public address with 400 invalidRequest', async () => {
    const refusal = await built('production')
      .assertAllowed('https://127.0.0.1/callback')
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(GraphHttpError);
    expect(refusal).toMatchObject({ status: 400, code: 'invalidRequest' });
    expect((refusal as Error).message).toMatch(/^callbackUri is not allowed: /);
  });

  it('elsewhere, lets loopback receivers be used for development and tests', async () => {
    await expect(built('development').assertAllowed('http://127.0.0.1:4000/callback')).resolves.toBeUndefined();
  });
});
