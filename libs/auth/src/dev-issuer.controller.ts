import { Controller, Get } from '@nestjs/common';
import { Public } from './auth.decorators';
import { DevTokenIssuer } from './dev-token-issuer';
import type { Jwk } from './rsa-keys';

/** The development issuer's public keys, as a real identity provider publishes them. */
@Controller('dev-issuer')
export class DevIssuerController {
  constructor(private readonly issuer: DevTokenIssuer) {}

  @Public()
  @Get('.well-known/jwks.json')
  jwks(): { keys: Jwk[] } {
    return this.issuer.jwks();
  }
}
