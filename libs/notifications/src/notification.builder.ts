import { createHash } from 'node:crypto';
import { audioStateOf, callChainIdOf, graphToneOf } from '@calls/domain';
import type { CallState } from '@calls/domain';
import { CALLS_V1 } from '@calls/messaging';
import type {
  CallEstablishedV1,
  CallRef,
  CallsCloudEvent,
  CallTerminatedV1,
  MediaOperationEndedV1,
  ToneReceivedV1,
} from '@calls/messaging';

/**
 * Graph's commsNotification, with the legacy `resource` beside `resourceUrl`
 * and the `callbackUri`, as real payloads and the create-call page's
 * examples carry them.
 */
export interface CommsNotification {
  readonly '@odata.type': '#microsoft.graph.commsNotification';
  readonly changeType: 'created' | 'updated' | 'deleted';
  readonly resource: string;
  readonly resourceUrl: string;
  readonly callbackUri: string;
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

const callUrl = (callId: string) => `/communications/calls/${callId}`;

/**
 * The call as Graph's call-state notifications carry it (the create-call
 * page's establishing and established examples, with `direction`), plus what
 * a bot ported from Microsoft's samples reads: `callbackUri`, `callChainId`,
 * and `mediaState` (the VoiceRecorderAndPlaybackBot sample records once
 * `mediaState.audio` is `active`).
 */
function callResource(data: CallRef & { direction?: string }, state: CallState): Record<string, unknown> {
  const audio = audioStateOf(state);
  return {
    '@odata.type': '#microsoft.graph.call',
    id: data.callId,
    state,
    ...(data.direction ? { direction: data.direction } : {}),
    callbackUri: data.callbackUri,
    callChainId: callChainIdOf(data.callId),
    mediaState: audio ? { '@odata.type': '#microsoft.graph.callMediaState', audio } : null,
  };
}

/**
 * An operation's `@odata.etag`, as the cancelMediaProcessing and record
 * pages' notifications show one (`W/"54451"`): opaque, and different for
 * every different final body.
 */
function etagOf(operation: object): string {
  return `W/"${createHash('sha1').update(JSON.stringify(operation)).digest('hex').slice(0, 16)}"`;
}

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
          resource: resourceUrl,
          resourceUrl,
          callbackUri: data.callbackUri,
          resourceData: { ...resourceData, '@odata.id': resourceUrl },
        },
      ],
    },
  });
  switch (event.type) {
    case CALLS_V1.mediaOperationEnded: {
      const { operation } = event.data as MediaOperationEndedV1;
      if (ANSWERED_IN_RESPONSE.has(String(operation['@odata.type']))) return null;
      return one('deleted', `${callUrl(data.callId)}/operations/${operation.id}`, {
        ...operation,
        '@odata.etag': etagOf(operation),
      });
    }
    case CALLS_V1.callCreated:
      return one('updated', callUrl(data.callId), callResource(event.data as CallEstablishedV1, 'establishing'));
    case CALLS_V1.callEstablished:
      return one('updated', callUrl(data.callId), callResource(event.data as CallEstablishedV1, 'established'));
    case CALLS_V1.callTerminated: {
      const { resultInfo } = event.data as CallTerminatedV1;
      return one('deleted', callUrl(data.callId), {
        ...callResource(data, 'terminated'),
        ...(resultInfo ? { resultInfo: { '@odata.type': '#microsoft.graph.resultInfo', ...resultInfo } } : {}),
      });
    }
    case CALLS_V1.toneReceived: {
      const { toneInfo } = event.data as ToneReceivedV1;
      return one('updated', callUrl(data.callId), {
        ...callResource(data, 'established'),
        toneInfo: {
          '@odata.type': '#microsoft.graph.toneInfo',
          sequenceId: toneInfo.sequenceId,
          // Graph's tone name, whatever form the media plane reported the key in.
          tone: graphToneOf(toneInfo.tone) ?? toneInfo.tone,
        },
      });
    }
    default:
      return null;
  }
}
