export const AUTH_SETTINGS = Symbol('AUTH_SETTINGS');
export const DEV_ISSUER = 'calls-service-dev-issuer';
export const DEFAULT_AUDIENCE = 'https://graph.microsoft.com';

export interface AuthSettings {
  /** `dev`: tokens of the local development issuer; `jwks`: a real identity provider. */
  readonly mode: 'dev' | 'jwks';
  readonly jwksUri?: string;
  /** Accepted issuers: a multi-tenant app sees one per tenant. */
  readonly issuers: readonly string[];
  readonly audience: string;
  /** Leeway for `exp` and `nbf`, for clocks that disagree a little. */
  readonly clockToleranceSeconds: number;
  readonly dataDir: string;
}

export function authSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): AuthSettings {
  const jwksUri = env.AUTH_JWKS_URI || undefined;
  const issuers = (env.AUTH_ISSUER ?? '')
    .split(',')
    .map((issuer) => issuer.trim())
    .filter(Boolean);
  return {
    mode: jwksUri ? 'jwks' : 'dev',
    jwksUri,
    issuers: jwksUri ? issuers : [DEV_ISSUER],
    audience: env.AUTH_AUDIENCE || DEFAULT_AUDIENCE,
    clockToleranceSeconds: Number(env.AUTH_CLOCK_TOLERANCE_SECONDS ?? 30),
    dataDir: env.DATA_DIR ?? './data',
  };
}
