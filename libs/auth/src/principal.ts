import type { CallOwner } from '@calls/domain';

/** Who is calling: the application of a tenant, with the application roles its token grants. */
export interface Principal extends CallOwner {
  readonly roles: readonly string[];
}

/** Graph's application permissions for calls. */
export const Roles = {
  CallsInitiateAll: 'Calls.Initiate.All',
  CallsAccessMediaAll: 'Calls.AccessMedia.All',
  CallsJoinGroupCallsAll: 'Calls.JoinGroupCalls.All',
} as const;

/** The tenant of personal Microsoft accounts, which Graph's calling APIs do not support. */
export const PERSONAL_ACCOUNT_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

/** The owner part of a principal: what the domain stores and compares; roles stay at the door. */
export function ownerOf(principal: Principal): CallOwner {
  return { tenantId: principal.tenantId, appId: principal.appId };
}
