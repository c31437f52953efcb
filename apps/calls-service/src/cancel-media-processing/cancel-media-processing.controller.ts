import { Body, Controller, Param, Post, Req, Res } from '@nestjs/common';
import { CallsRoute } from '../shared/calls-route.decorator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CancelMediaProcessingCommand } from '@calls/application';
import type { IdempotencyRequest } from '@calls/application';
import { Idempotency } from '../idempotency/idempotency.decorator';
import { CurrentPrincipal, ownerOf, Principal, Roles } from '@calls/auth';
import {
  CALLS_ROUTE_PREFIXES,
  COMMS_OPERATION_SCHEMA,
  GuidPipe,
  operationResponse,
  callActionPaths,
} from '@calls/graph';
import {
  CANCEL_MEDIA_PROCESSING_BODY_SCHEMA,
  CancelMediaProcessingRequest,
  toCancelTarget,
} from './cancel-media-processing.request';
import { MeteredCommandBus } from '../metrics/metered-command-bus';
import { AdmitFirst } from '../overload/admission.guard';

@Controller(CALLS_ROUTE_PREFIXES)
export class CancelMediaProcessingController {
  constructor(private readonly commands: MeteredCommandBus) {}

  /** Graph: cancels every queued or running playPrompt/recordResponse of the call (or, as extensions, some of them). */
  @Post(callActionPaths('cancelMediaProcessing'))
  @AdmitFirst() // it stops audio the caller should not hear: shed last
  @CallsRoute({
    summary: 'Cancel every queued or running playPrompt and recordResponse of the call',
    description:
      'Each cancelled operation ends failed with resultInfo 400/8508. Extensions: scope or operationIds select what to end; cancelledOperations (with playedDuration) and notCancelledOperations report what happened.',
    roles: [Roles.CallsInitiateAll, Roles.CallsAccessMediaAll],
    status: 200,
    schema: COMMS_OPERATION_SCHEMA,
    body: CANCEL_MEDIA_PROCESSING_BODY_SCHEMA,
  })
  async cancelMediaProcessing(
    @CurrentPrincipal() principal: Principal,
    @Param('callId', GuidPipe) callId: string,
    @Body() body: CancelMediaProcessingRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Idempotency() idempotency: IdempotencyRequest | undefined,
  ): Promise<Record<string, unknown>> {
    const operation = await this.commands.execute(
      new CancelMediaProcessingCommand(
        ownerOf(principal),
        callId,
        body.clientContext ?? null,
        toCancelTarget(body),
        idempotency,
        body.recordings === 'keep',
      ),
    );
    return operationResponse(request, reply, operation);
  }
}
