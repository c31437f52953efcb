import { Controller, Get, Param } from '@nestjs/common';
import { CallsRoute } from '../shared/calls-route.decorator';
import { QueryBus } from '@nestjs/cqrs';
import { GetOperationQuery } from '@calls/application';
import { CurrentPrincipal, ownerOf, Principal, Roles } from '@calls/auth';
import { CALLS_ROUTE_PREFIXES, COMMS_OPERATION_SCHEMA, GuidPipe, toGraphOperation } from '@calls/graph';

@Controller(CALLS_ROUTE_PREFIXES)
export class OperationsController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':callId/operations/:operationId')
  @CallsRoute({
    summary: 'Get an operation',
    roles: [Roles.CallsInitiateAll, Roles.CallsAccessMediaAll],
    status: 200,
    schema: COMMS_OPERATION_SCHEMA,
  })
  async getOperation(
    @CurrentPrincipal() principal: Principal,
    @Param('callId', GuidPipe) callId: string,
    @Param('operationId', GuidPipe) operationId: string,
  ): Promise<Record<string, unknown>> {
    const operation = await this.queries.execute(new GetOperationQuery(ownerOf(principal), callId, operationId));
    return toGraphOperation(operation);
  }
}
