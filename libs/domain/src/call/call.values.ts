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

/**
 * The parts of a Graph call the service stores but does not interpret
 * (source, targets, mediaConfig ...); kept as given so GET returns them.
 */
export interface CallDescription {
  readonly callbackUri: string;
  readonly direction: 'incoming' | 'outgoing';
  readonly requestedModalities: readonly string[];
  readonly mediaConfig: Readonly<Record<string, unknown>>;
  readonly source: Readonly<Record<string, unknown>> | null;
  readonly targets: readonly Readonly<Record<string, unknown>>[];
  readonly subject: string | null;
}
