import type { CallProps } from '@calls/domain';
import { toGraphResultInfo } from './comms-operation.serializer';

/** A domain call as Graph's call resource. */
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
    resultInfo: toGraphResultInfo(call.resultInfo),
    toneInfo: null,
  };
}
