import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { FastifyRequest } from 'fastify';
import { GetOperationQuery, ListOperationsQuery } from '@calls/application';
import { CurrentPrincipal, ownerOf, Principal, Roles } from '@calls/auth';
import {
  CALLS_ROUTE_PREFIXES,
  COMMS_OPERATION_COLLECTION_SCHEMA,
  COMMS_OPERATION_SCHEMA,
  GuidPipe,
  operationsCollection,
  isBeta,
  toGraphOperation,
  withContext,
} from '@calls/graph';
import { CallsRoute } from '../shared/calls-route.decorator';
import { ListOperationsRequest, MAX_OPERATIONS_PAGE } from './list-operations.request';

@Controller(CALLS_ROUTE_PREFIXES)
export class OperationsController {
  constructor(private readonly queries: QueryBus) {}

  /**
   * Graph's collection of a call's operations, in creation order: `value`,
   * and `@odata.nextLink` while more follow (`$top` up to MAX_OPERATIONS_PAGE,
   * which is also the page size without it).
   */
  @Get(':callId/operations')
  @CallsRoute({
    summary: "List a call's operations",
    description: `In creation order; $top from 1 to ${MAX_OPERATIONS_PAGE} (default ${MAX_OPERATIONS_PAGE}); follow @odata.nextLink for the rest.`,
    roles: [Roles.CallsInitiateAll, Roles.CallsAccessMediaAll],
    status: 200,
    schema: COMMS_OPERATION_COLLECTION_SCHEMA,
  })
  async listOperations(
    @CurrentPrincipal() principal: Principal,
    @Param('callId', GuidPipe) callId: string,
    @Query() query: ListOperationsRequest,
    @Req() request: FastifyRequest,
  ): Promise<Record<string, unknown>> {
    const top = query.$top ?? MAX_OPERATIONS_PAGE;
    const page = await this.queries.execute(
      new ListOperationsQuery(ownerOf(principal), callId, query.$skiptoken ?? 0, top),
    );
    return operationsCollection(request, callId, page, top);
  }

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
    @Req() request: FastifyRequest,
  ): Promise<Record<string, unknown>> {
    const operation = await this.queries.execute(new GetOperationQuery(ownerOf(principal), callId, operationId));
    return withContext(
      request,
      `communications/calls('${callId}')/operations`,
      toGraphOperation(operation, { beta: isBeta(request) }),
    );
  }
}
