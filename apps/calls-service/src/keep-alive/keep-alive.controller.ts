import { Controller, Param, Post } from '@nestjs/common';
import { KeepAliveCommand } from '@calls/application';
import type { IdempotencyRequest } from '@calls/application';
import { Idempotency } from '../idempotency/idempotency.decorator';
import { CurrentPrincipal, ownerOf, Principal, Roles } from '@calls/auth';
import { CALLS_ROUTE_PREFIXES, GuidPipe, callActionPaths } from '@calls/graph';
import { CallsRoute } from '../shared/calls-route.decorator';
import { MeteredCommandBus } from '../metrics/metered-command-bus';

@Controller(CALLS_ROUTE_PREFIXES)
export class KeepAliveController {
  constructor(private readonly commands: MeteredCommandBus) {}

  /**
   * Graph keepAlive (https://learn.microsoft.com/en-us/graph/api/call-keepalive):
   * 200 with no body; the call stays up for another CALL_KEEPALIVE_TIMEOUT_S.
   * A call that has ended is 404, as Graph documents.
   */
  @Post(callActionPaths('keepAlive'))
  @CallsRoute({
    summary: 'Keep the call alive',
    description: 'A call with no keepAlive within CALL_KEEPALIVE_TIMEOUT_S (Graph: 45 minutes) ends on its own.',
    roles: [Roles.CallsInitiateAll, Roles.CallsAccessMediaAll],
    status: 200,
  })
  async keepAlive(
    @CurrentPrincipal() principal: Principal,
    @Param('callId', GuidPipe) callId: string,
    @Idempotency() idempotency: IdempotencyRequest | undefined,
  ): Promise<void> {
    await this.commands.execute(new KeepAliveCommand(ownerOf(principal), callId, idempotency));
  }
}
