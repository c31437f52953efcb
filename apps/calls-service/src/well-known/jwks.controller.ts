import { Controller, Get } from '@nestjs/common';
import { Jwk, NotificationSigner, Public } from '@calls/auth';

/** The public keys bots use to check that a notification came from this service. */
@Controller('.well-known')
export class JwksController {
  constructor(private readonly signer: NotificationSigner) {}

  @Public()
  @Get('jwks.json')
  jwks(): { keys: Jwk[] } {
    return this.signer.jwks();
  }
}
