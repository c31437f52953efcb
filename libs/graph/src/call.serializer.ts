import type { CallProps } from '@calls/domain';

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
    tenantId: call.owner.tenantId,
    myParticipantId: call.myParticipantId,
    resultInfo: null,
    toneInfo: null,
  };
}
