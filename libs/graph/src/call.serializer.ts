import { audioStateOf, callChainIdOf } from '@calls/domain';
import type { CallProps } from '@calls/domain';
import { toGraphResultInfo } from './comms-operation.serializer';

/**
 * A domain call as Graph's call resource, with the properties Graph's
 * create-call answer shows (https://learn.microsoft.com/en-us/graph/api/application-post-calls):
 * `callChainId`, `mediaState` (audio `active` once the media plane connected
 * the call), and `toneInfo`, the last tone reported by Graph's name.
 */
export function toGraphCall(call: Readonly<CallProps>): Record<string, unknown> {
  const d = call.description;
  return {
    '@odata.type': '#microsoft.graph.call',
    id: call.id,
    state: call.state,
    direction: d.direction,
    callbackUri: d.callbackUri,
    subject: d.subject,
    source: d.source,
    targets: d.targets,
    requestedModalities: d.requestedModalities,
    mediaConfig: d.mediaConfig,
    chatInfo: d.chatInfo,
    meetingInfo: d.meetingInfo,
    callOptions: d.callOptions,
    tenantId: call.owner.tenantId,
    myParticipantId: call.myParticipantId,
    callChainId: callChainIdOf(call.id),
    mediaState: mediaStateOf(call),
    resultInfo: toGraphResultInfo(call.resultInfo),
    toneInfo: call.lastTone
      ? { '@odata.type': '#microsoft.graph.toneInfo', sequenceId: call.toneSequence, tone: call.lastTone }
      : null,
  };
}

/** Graph's callMediaState, or null while the call is being set up. */
export function mediaStateOf(call: { readonly state: CallProps['state'] }): Record<string, unknown> | null {
  const audio = audioStateOf(call.state);
  return audio ? { '@odata.type': '#microsoft.graph.callMediaState', audio } : null;
}
