import { Inject, Injectable } from '@nestjs/common';
import { createPublicKey, KeyObject } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import * as jwt from 'jsonwebtoken';
import { passportJwtSecret } from 'jwks-rsa';
import { LRUCache } from 'lru-cache';
import { ExtractJwt, SecretOrKeyProvider, Strategy } from 'passport-jwt';
import { GraphHttpError } from '@calls/graph';
import { AUTH_SETTINGS, AuthSettings } from './auth.config';
import { DevTokenIssuer } from './dev-token-issuer';
import { PERSONAL_ACCOUNT_TENANT, Principal } from './principal';

interface AccessTokenClaims {
  exp?: unknown;
  iat?: unknown;
  nbf?: unknown;
  tid?: unknown;
  azp?: unknown;
  appid?: unknown;
  roles?: unknown;
  scp?: unknown;
}

/**
 * Parsed keys by PEM: jsonwebtoken would otherwise parse the PEM again on
 * every request, a visible share of the CPU profile. Bounded, so keys
 * rotated away do not pile up.
 */
function cachingKeyObjects(provider: SecretOrKeyProvider): SecretOrKeyProvider {
  const parsed = new Map<string, KeyObject>();
  return (request, rawJwtToken, done) =>
    provider(request, rawJwtToken, (error, key) => {
      if (error || typeof key !== 'string') return done(error, key);
      let keyObject = parsed.get(key);
      if (!keyObject) {
        if (parsed.size >= 64) parsed.clear();
        keyObject = createPublicKey(key);
        parsed.set(key, keyObject);
      }
      done(null, keyObject as unknown as string);
    });
}

/**
 * A token must name its key: without a `kid`, jwks-rsa would try the only key
 * of a one-key set, and which key verifies a token must never be a guess.
 */
function requiringKid(provider: SecretOrKeyProvider): SecretOrKeyProvider {
  return (request, rawJwtToken, done) => {
    const header = jwt.decode(String(rawJwtToken), { complete: true })?.header;
    if (!header?.kid) return done(new Error('the token names no signing key (kid)'));
    provider(request, rawJwtToken, done);
  };
}

/** Keys by `kid`: from the configured JWKS (cached, rate-limited refresh on an unknown kid) or the dev issuer. */
function keyProvider(settings: AuthSettings, devIssuer: DevTokenIssuer | null): SecretOrKeyProvider {
  if (settings.mode === 'jwks') {
    return cachingKeyObjects(
      requiringKid(
        passportJwtSecret({
          jwksUri: settings.jwksUri!,
          cache: true,
          cacheMaxAge: 10 * 60_000,
          rateLimit: true,
          jwksRequestsPerMinute: 10,
          timeout: 5_000,
        }),
      ),
    );
  }
  const pem = devIssuer!.publicKeyPem();
  return cachingKeyObjects((_request, rawJwtToken, done) => {
    const header = jwt.decode(String(rawJwtToken), { complete: true })?.header;
    if (header?.kid === devIssuer!.kid) done(null, pem);
    else done(new Error('signing key not found'));
  });
}

/** How long a verified token is taken on trust: well under the JWKS cache's 10 minutes, so a withdrawn key stops working soon. */
const TRUSTED_FOR_MS = 60_000;
const bearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * Verifies Graph-style application tokens: RS256 only (no `none`, no HMAC
 * with a public key as secret), issuer, audience, `exp` and `nbf` with a
 * small tolerance. Graph's calling APIs take application permissions only,
 * so delegated tokens (`scp`) and personal accounts are refused.
 *
 * A bot sends the same token for an hour, so a token that passed is
 * remembered, byte for byte, for up to a minute and never past its `exp`:
 * the RSA check and the claims parsing are costly to repeat per request.
 * Only tokens that passed are remembered; a refusal is decided anew each time.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly verified = new LRUCache<string, Principal>({ max: 10_000, ttl: TRUSTED_FOR_MS });
  private readonly clockToleranceSeconds: number;

  constructor(@Inject(AUTH_SETTINGS) settings: AuthSettings, @Inject(DevTokenIssuer) devIssuer: DevTokenIssuer | null) {
    super({
      jwtFromRequest: bearerToken,
      secretOrKeyProvider: keyProvider(settings, devIssuer),
      algorithms: ['RS256'],
      issuer: [...settings.issuers],
      audience: settings.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: settings.clockToleranceSeconds },
      passReqToCallback: true,
    });
    this.clockToleranceSeconds = settings.clockToleranceSeconds;
  }

  override authenticate(request: Parameters<typeof bearerToken>[0], options?: object): void {
    const token = bearerToken(request);
    const principal = token ? this.verified.get(token) : undefined;
    if (principal) return this.success(principal);
    return super.authenticate(request, options);
  }

  validate(request: Parameters<typeof bearerToken>[0], claims: AccessTokenClaims): Principal {
    const badLifetime = lifetimeProblem(claims, Date.now() / 1000, this.clockToleranceSeconds);
    if (badLifetime) {
      throw new GraphHttpError(401, 'InvalidAuthenticationToken', `Access token validation failure: ${badLifetime}.`);
    }
    const principal = principalOf(claims);
    const token = bearerToken(request);
    const untilExpiry = typeof claims.exp === 'number' ? claims.exp * 1000 - Date.now() : 0;
    if (token && untilExpiry > 0) this.verified.set(token, principal, { ttl: Math.min(TRUSTED_FOR_MS, untilExpiry) });
    return principal;
  }
}

/**
 * What jsonwebtoken leaves unchecked in a token's lifetime: it must expire,
 * must not be issued in the future (beyond the clock tolerance), and must not
 * end before it was issued or before it becomes valid. Such a token is forged
 * or minted by a broken clock; either way it is refused (and so never cached).
 */
function lifetimeProblem(claims: AccessTokenClaims, nowSeconds: number, toleranceSeconds: number): string | null {
  const { exp, iat, nbf } = claims;
  if (typeof exp !== 'number') return 'the token has no expiry (exp)';
  if (iat !== undefined && typeof iat !== 'number') return 'iat must be a number';
  if (typeof iat === 'number' && iat > nowSeconds + toleranceSeconds) return 'the token was issued in the future (iat)';
  if (typeof iat === 'number' && exp <= iat) return 'the token expires before it was issued (exp <= iat)';
  if (typeof nbf === 'number' && nbf > exp) return 'the token becomes valid only after it expires (nbf > exp)';
  return null;
}

/** The caller a verified token names, or the Graph refusal for a token this API does not take. */
function principalOf(claims: AccessTokenClaims): Principal {
  if (claims.scp !== undefined) {
    throw new GraphHttpError(
      403,
      'accessDenied',
      'Delegated (user) tokens are not supported by this API; use an application token.',
    );
  }
  const appId = typeof claims.azp === 'string' ? claims.azp : claims.appid;
  if (typeof claims.tid !== 'string' || !claims.tid || typeof appId !== 'string' || !appId) {
    throw new GraphHttpError(
      401,
      'InvalidAuthenticationToken',
      'Access token validation failure: tid and azp/appid claims are required.',
    );
  }
  if (claims.tid === PERSONAL_ACCOUNT_TENANT) {
    throw new GraphHttpError(403, 'accessDenied', 'Personal Microsoft accounts are not supported by this API.');
  }
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
  return { tenantId: claims.tid, appId, roles };
}
