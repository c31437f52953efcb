import { createHash } from 'node:crypto';
import type { OperationStatus, ResultInfo } from './media-operation';

/** Graph's callState. */
export type CallState =
  | 'incoming'
  | 'establishing'
  | 'ringing'
  | 'established'
  | 'hold'
  | 'transferring'
  | 'transferAccepted'
  | 'redirecting'
  | 'terminating'
  | 'terminated';

/** The tenant and application that created a call; only they may see or touch it. */
export interface CallOwner {
  readonly tenantId: string;
  readonly appId: string;
}

export function sameOwner(a: CallOwner, b: CallOwner): boolean {
  return a.tenantId === b.tenantId && a.appId === b.appId;
}

type GraphObject = Readonly<Record<string, unknown>>;

/**
 * The parts of a Graph call the service stores but does not interpret
 * (source, targets, mediaConfig, chatInfo ...); kept as given so GET returns them.
 */
export interface CallDescription {
  readonly callbackUri: string;
  readonly direction: 'incoming' | 'outgoing';
  readonly requestedModalities: readonly string[];
  readonly mediaConfig: GraphObject;
  readonly source: GraphObject | null;
  readonly targets: readonly GraphObject[];
  readonly subject: string | null;
  readonly chatInfo: GraphObject | null;
  readonly meetingInfo: GraphObject | null;
  readonly callOptions: GraphObject | null;
}

/** Graph ends a call that had no keepAlive for 45 minutes (https://learn.microsoft.com/en-us/graph/api/call-keepalive). */
/**
 * Graph's callChainId: one id for every participant call of a conversation
 * (https://learn.microsoft.com/en-us/graph/api/resources/call). A call here
 * is a two-party call of its own, so its chain id is derived from its id: a
 * stable GUID (version 5 layout, SHA-1 of the call id), the same on every
 * read and replica, and never equal to the call id.
 */
export function callChainIdOf(callId: string): string {
  const hash = createHash('sha1').update(`callChainId:${callId}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Graph's callMediaState.audio: `active` once the media plane connected the
 * call, `inactive` once it ended; null while the call is still being set up,
 * as Graph's create-call answer shows (`"mediaState": null` while establishing).
 */
export function audioStateOf(state: CallState): 'active' | 'inactive' | null {
  if (state === 'established') return 'active';
  return state === 'terminated' || state === 'terminating' ? 'inactive' : null;
}

export const DEFAULT_KEEPALIVE_TIMEOUT_MS = 45 * 60_000;

/*
 * Why a call ended, from Graph's "Call end reason codes"
 * (https://learn.microsoft.com/en-us/graph/api/call-delete).
 */
export const RESULT_HUNG_UP_BY_BOT: ResultInfo = {
  code: 200,
  subcode: 7000,
  message: 'The conversation has ended by bot.',
};
export const RESULT_KEEPALIVE_TIMEOUT: ResultInfo = {
  code: 408,
  subcode: 8537,
  message: 'Keep Alive timeout, cleaned up inactive call.',
};
export const RESULT_PEER_LEFT: ResultInfo = {
  code: 200,
  subcode: 18503,
  message: 'The other participant in peer-to-peer call, left the conversation.',
};
export const RESULT_MEDIA_CONNECTIVITY_FAILURE: ResultInfo = {
  code: 410,
  subcode: 301005,
  message: 'Media connectivity failure.',
};

/**
 * Which operations a cancel ends (this service's extension; Graph's cancel
 * is `{ scope: 'all' }`). For `operationIds`, `statuses` holds the status of
 * each named operation the call has, read after the call was loaded: one the
 * loaded queue no longer holds had ended by then.
 */
export type CancelSelection =
  | { readonly scope: 'all' | 'current' | 'queued' }
  | { readonly operationIds: readonly string[]; readonly statuses: ReadonlyMap<string, OperationStatus> };
