import { CALLS_V1 } from '@calls/messaging';
import type {
  CallRef,
  CallsCloudEvent,
  CallTerminatedV1,
  MediaOperationEndedV1,
  ToneReceivedV1,
} from '@calls/messaging';

export interface CommsNotification {
  readonly '@odata.type': '#microsoft.graph.commsNotification';
  readonly changeType: 'created' | 'updated' | 'deleted';
  readonly resourceUrl: string;
  readonly resourceData: Record<string, unknown>;
}

/** A notification to send: where, to whom (the JWT audience), and Graph's body. */
export interface OutgoingNotification {
  readonly callbackUri: string;
  readonly appId: string;
  readonly tenantId: string;
  readonly body: {
    readonly '@odata.type': '#microsoft.graph.commsNotifications';
    readonly value: readonly CommsNotification[];
  };
}

/** Actions Graph answers `completed` in their own response: "no further notification follows". */
const ANSWERED_IN_RESPONSE = new Set([
  '#microsoft.graph.subscribeToToneOperation',
  '#microsoft.graph.cancelMediaProcessingOperation',
  '#microsoft.graph.updateRecordingStatusOperation',
]);

/** Graph's tone enum: tone0..tone9, star, pound, a..d. */
function graphTone(tone: string): string {
  if (/^[0-9]$/.test(tone)) return `tone${tone}`;
  return ({ '*': 'star', '#': 'pound' } as Record<string, string>)[tone] ?? tone.toLowerCase();
}

const callUrl = (callId: string) => `/communications/calls/${callId}`;

/**
 * The Graph notification a bot gets for an event, or null when Graph sends
 * none: an ended operation is `deleted` with its final body; a new call is
 * `updated` as `establishing`, then `established`; a received tone is
 * `updated`; an ended call (hung up, or cleaned up after no keepAlive) is
 * `deleted` with state `terminated` and a resultInfo saying why, as in
 * https://learn.microsoft.com/en-us/graph/api/call-delete.
 */
export function toNotification(event: CallsCloudEvent): OutgoingNotification | null {
  const data = event.data as CallRef;
  const one = (changeType: CommsNotification['changeType'], resourceUrl: string, resourceData: object) => ({
    callbackUri: data.callbackUri,
    appId: data.appId,
    tenantId: data.tenantId,
    body: {
      '@odata.type': '#microsoft.graph.commsNotifications' as const,
      value: [
        {
          '@odata.type': '#microsoft.graph.commsNotification' as const,
          changeType,
          resourceUrl,
          resourceData: { ...resourceData, '@odata.id': resourceUrl },
        },
      ],
    },
  });
  switch (event.type) {
    case CALLS_V1.mediaOperationEnded: {
      const { operation } = event.data as MediaOperationEndedV1;
      if (ANSWERED_IN_RESPONSE.has(String(operation['@odata.type']))) return null;
      return one('deleted', `${callUrl(data.callId)}/operations/${operation.id}`, operation);
    }
    case CALLS_V1.callCreated:
      return one('updated', callUrl(data.callId), { '@odata.type': '#microsoft.graph.call', state: 'establishing' });
    case CALLS_V1.callEstablished:
      return one('updated', callUrl(data.callId), { '@odata.type': '#microsoft.graph.call', state: 'established' });
    case CALLS_V1.callTerminated: {
      const { state, resultInfo } = event.data as CallTerminatedV1;
      return one('deleted', callUrl(data.callId), {
        '@odata.type': '#microsoft.graph.call',
        state,
        ...(resultInfo ? { resultInfo: { '@odata.type': '#microsoft.graph.resultInfo', ...resultInfo } } : {}),
      });
    }
    case CALLS_V1.toneReceived: {
      const { toneInfo } = event.data as ToneReceivedV1;
      return one('updated', callUrl(data.callId), {
        '@odata.type': '#microsoft.graph.call',
        state: 'established',
        toneInfo: {
          '@odata.type': '#microsoft.graph.toneInfo',
          sequenceId: toneInfo.sequenceId,
          tone: graphTone(toneInfo.tone),
        },
      });
    }
    default:
      return null;
  }
}
