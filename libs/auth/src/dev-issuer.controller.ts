import { Controller, Get } from '@nestjs/common';
import { Public } from './auth.decorators';
import { DevTokenIssuer, Jwk } from './dev-token-issuer';

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
