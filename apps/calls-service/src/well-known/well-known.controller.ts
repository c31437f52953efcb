import { Controller, Get, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Jwk, NotificationSigner, Public } from '@calls/auth';

/** What a bot needs to check that a notification came from this service. */
@Controller('.well-known')
export class WellKnownController {
  constructor(private readonly signer: NotificationSigner) {}

  /** The public keys that sign notifications (the JWT a callback carries as its bearer token). */
  @Public()
  @Get('jwks.json')
  jwks(): { keys: Jwk[] } {
    return this.signer.jwks();
  }

  /**
   * OpenID Connect discovery metadata for the notification issuer, so a bot
   * validates callbacks with a stock OIDC/JWT validator pointed at the
   * service (e.g. jose's createRemoteJWKSet on `jwks_uri`, then `issuer` and
   * its own app id as the audience). Only the fields a token validator
   * reads: this service issues no tokens to anyone but bots it calls back.
   */
  @Public()
  @Get('openid-configuration')
  openIdConfiguration(@Req() request: FastifyRequest): Record<string, unknown> {
    return {
      issuer: this.signer.issuer,
      jwks_uri: `${request.publicBase}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: [this.signer.algorithm],
    };
  }
}
