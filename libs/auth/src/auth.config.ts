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
