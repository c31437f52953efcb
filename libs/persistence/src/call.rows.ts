import { Call, MediaOperation } from '@calls/domain';
import type {
  CallEvent,
  CallProps,
  MediaOperationKind,
  MediaOperationProps,
  OperationStatus,
  CompletionReason,
} from '@calls/domain';
import { randomUUID } from 'node:crypto';
import { toIntegrationEvent } from '@calls/messaging';
import type { TraceContext } from '@calls/runtime';
import type { CommandReceipt } from '@calls/application';
import { columnsOf, tablesFor } from './schema/tables';
import type { CallRow, OperationRow, OutboxRow, ReceiptRow } from './schema/tables';

/* The aggregate's state as typed table rows (schema/tables.ts), and back. */

/** What may change on an operation after it was created: what a save writes of a stored operation. */
export const MUTABLE_OPERATION_COLUMNS = [
  'status',
  'result_code',
  'result_subcode',
  'result_message',
  'completion_reason',
  'recording_location',
  'recording_access_token',
  'cancelled_operations',
  'started_at',
  'ended_at',
  'played_duration_ms',
  'not_cancelled_operations',
] as const satisfies readonly (keyof OperationRow)[];

/** What a call can change after creation; the version and updated_at are set with them. */
export const MUTABLE_CALL_COLUMNS = [
  'state',
  'operation_sequence',
  'tone_subscribed',
  'tone_sequence',
  'last_tone',
  'keepalive_deadline',
  'result_info',
  'version',
  'updated_at',
] as const satisfies readonly (keyof CallRow)[];

/** An event as a save writes it to the outbox (OUTBOX_INSERT_COLUMNS). */
export type OutboxInsert = Omit<OutboxRow, 'position' | 'published_at' | 'relay_after'>;

/** What a save writes of an outbox row; the database numbers it, the relay marks it, the save's statement decides `relay_after`. */
export const OUTBOX_INSERT_COLUMNS = columnsOf(tablesFor('postgres').outbox).filter(
  (column) => column !== 'position' && column !== 'published_at' && column !== 'relay_after',
);

export const receiptRow = (receipt: CommandReceipt): ReceiptRow => ({
  tenant_id: receipt.owner.tenantId,
  app_id: receipt.owner.appId,
  idempotency_key: receipt.key,
  fingerprint: receipt.fingerprint,
  result: receipt.result,
  created_at: receipt.createdAt,
  expires_at: receipt.expiresAt,
});

export function callRow(props: Readonly<CallProps>, version: number): CallRow {
  const d = props.description;
  return {
    id: props.id,
    tenant_id: props.owner.tenantId,
    app_id: props.owner.appId,
    state: props.state,
    callback_uri: d.callbackUri,
    direction: d.direction,
    requested_modalities: d.requestedModalities,
    media_config: d.mediaConfig,
    source: d.source,
    targets: d.targets,
    subject: d.subject,
    my_participant_id: props.myParticipantId,
    operation_sequence: props.operationSequence,
    tone_subscribed: props.toneSubscribed,
    tone_sequence: props.toneSequence,
    last_tone: props.lastTone,
    version,
    created_at: props.createdAt,
    updated_at: props.updatedAt,
    keepalive_deadline: props.keepAliveDeadline,
    result_info: props.resultInfo,
    chat_info: d.chatInfo,
    meeting_info: d.meetingInfo,
    call_options: d.callOptions,
  };
}

export function operationRow(op: Readonly<MediaOperationProps>): OperationRow {
  return {
    id: op.id,
    call_id: op.callId,
    kind: op.kind,
    sequence: op.sequence,
    status: op.status,
    client_context: op.clientContext,
    parameters: op.parameters,
    result_code: op.resultInfo?.code ?? null,
    result_subcode: op.resultInfo?.subcode ?? null,
    result_message: op.resultInfo?.message ?? null,
    completion_reason: op.completionReason,
    recording_location: op.recordingLocation,
    recording_access_token: op.recordingAccessToken,
    cancelled_operations: op.cancelledOperations,
    created_at: op.createdAt,
    started_at: op.startedAt,
    ended_at: op.endedAt,
    played_duration_ms: op.playedDurationMs,
    not_cancelled_operations: op.notCancelledOperations,
  };
}

/**
 * An event as an outbox row, already in its published contract shape. The id
 * stays with the row and becomes the CloudEvent id, so a relay's retries keep
 * it. `trace` is the context of the request or message that caused the event,
 * for subscribers to join.
 */
export function outboxRow(event: CallEvent, callbackUri: string, trace: TraceContext): OutboxInsert {
  const integration = toIntegrationEvent(event, callbackUri);
  return {
    id: randomUUID(),
    aggregate_id: event.callId,
    type: integration.type,
    payload: integration.data,
    occurred_at: event.occurredAt,
    traceparent: trace.traceparent ?? null,
    tracestate: trace.tracestate ?? null,
  };
}

export function toOperationProps(row: OperationRow): MediaOperationProps {
  return {
    id: row.id,
    callId: row.call_id,
    kind: row.kind as MediaOperationKind,
    sequence: row.sequence,
    clientContext: row.client_context,
    parameters: row.parameters as MediaOperationProps['parameters'],
    status: row.status as OperationStatus,
    resultInfo:
      row.result_code === null
        ? null
        : { code: row.result_code, subcode: row.result_subcode ?? 0, message: row.result_message ?? '' },
    completionReason: row.completion_reason as CompletionReason | null,
    recordingLocation: row.recording_location,
    recordingAccessToken: row.recording_access_token,
    cancelledOperations: row.cancelled_operations as MediaOperationProps['cancelledOperations'],
    notCancelledOperations: row.not_cancelled_operations as MediaOperationProps['notCancelledOperations'],
    playedDurationMs: row.played_duration_ms,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}

export function toCall(row: CallRow, activeOperations: OperationRow[]): Call {
  type Description = CallProps['description'];
  const props: CallProps = {
    id: row.id,
    owner: { tenantId: row.tenant_id, appId: row.app_id },
    description: {
      callbackUri: row.callback_uri,
      direction: row.direction as Description['direction'],
      requestedModalities: row.requested_modalities as Description['requestedModalities'],
      mediaConfig: row.media_config as Description['mediaConfig'],
      source: row.source as Description['source'],
      targets: row.targets as Description['targets'],
      subject: row.subject,
      chatInfo: row.chat_info as Description['chatInfo'],
      meetingInfo: row.meeting_info as Description['meetingInfo'],
      callOptions: row.call_options as Description['callOptions'],
    },
    myParticipantId: row.my_participant_id,
    state: row.state as CallProps['state'],
    operationSequence: row.operation_sequence,
    toneSubscribed: row.tone_subscribed,
    toneSequence: row.tone_sequence,
    lastTone: row.last_tone as CallProps['lastTone'],
    // Every call has a deadline since the call-lifetime migration filled it in.
    keepAliveDeadline: row.keepalive_deadline!,
    resultInfo: row.result_info as CallProps['resultInfo'],
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  return Call.restore(
    props,
    activeOperations.map((op) => MediaOperation.restore(toOperationProps(op))),
  );
}
