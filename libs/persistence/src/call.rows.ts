import { Call, MediaOperation } from '@calls/domain';
import type {
  CallEvent,
  CallProps,
  MediaOperationKind,
  MediaOperationProps,
  OperationStatus,
  RecordCompletionReason,
} from '@calls/domain';
import { randomUUID } from 'node:crypto';
import { toIntegrationEvent } from '@calls/messaging';
import type { TraceContext } from '@calls/runtime';

/*
 * Rows as the tables hold them (see the migrations). Timestamps are ISO-8601
 * UTC text and JSON is text: the one representation PostgreSQL and SQLite
 * both store, compare and sort alike, with no driver time-zone conversion.
 */

export const CALL_COLUMNS = [
  'id',
  'tenant_id',
  'app_id',
  'state',
  'callback_uri',
  'direction',
  'requested_modalities',
  'media_config',
  'source',
  'targets',
  'subject',
  'my_participant_id',
  'operation_sequence',
  'tone_subscribed',
  'tone_sequence',
  'version',
  'created_at',
  'updated_at',
  'keepalive_deadline',
  'result_info',
  'chat_info',
  'meeting_info',
  'call_options',
] as const;

export const OPERATION_COLUMNS = [
  'id',
  'call_id',
  'kind',
  'sequence',
  'status',
  'client_context',
  'parameters',
  'result_code',
  'result_subcode',
  'result_message',
  'completion_reason',
  'recording_location',
  'recording_access_token',
  'cancelled_operations',
  'created_at',
  'started_at',
  'ended_at',
  'played_duration_ms',
  'not_cancelled_operations',
] as const;

/** What may change on an operation after it was created: the upsert's update list. */
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
] as const;

export const OUTBOX_COLUMNS = [
  'id',
  'aggregate_id',
  'type',
  'payload',
  'occurred_at',
  'traceparent',
  'tracestate',
] as const;

type Row = Record<string, unknown>;

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);
const date = (value: unknown): Date | null => (value === null || value === undefined ? null : new Date(String(value)));
const json = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));
const parsed = <T>(value: unknown): T =>
  (value === null || value === undefined ? null : JSON.parse(String(value))) as T;
const int = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

export function callValues(props: Readonly<CallProps>, version: number): unknown[] {
  const d = props.description;
  return [
    props.id,
    props.owner.tenantId,
    props.owner.appId,
    props.state,
    d.callbackUri,
    d.direction,
    json(d.requestedModalities),
    json(d.mediaConfig),
    json(d.source),
    json(d.targets),
    d.subject,
    props.myParticipantId,
    props.operationSequence,
    props.toneSubscribed ? 1 : 0,
    props.toneSequence,
    version,
    iso(props.createdAt),
    iso(props.updatedAt),
    iso(props.keepAliveDeadline),
    json(props.resultInfo),
    json(d.chatInfo),
    json(d.meetingInfo),
    json(d.callOptions),
  ];
}

export function operationValues(op: Readonly<MediaOperationProps>): unknown[] {
  return [
    op.id,
    op.callId,
    op.kind,
    op.sequence,
    op.status,
    op.clientContext,
    json(op.parameters),
    op.resultInfo?.code ?? null,
    op.resultInfo?.subcode ?? null,
    op.resultInfo?.message ?? null,
    op.completionReason,
    op.recordingLocation,
    op.recordingAccessToken,
    json(op.cancelledOperations),
    iso(op.createdAt),
    iso(op.startedAt),
    iso(op.endedAt),
    op.playedDurationMs,
    json(op.notCancelledOperations),
  ];
}

/**
 * An event as an outbox row, already in its published contract shape. The id
 * stays with the row and becomes the CloudEvent id, so a relay's retries keep it.
 */
/** `trace` is the context of the request or message that caused the event, for subscribers to join. */
export function outboxValues(event: CallEvent, callbackUri: string, trace: TraceContext): unknown[] {
  const integration = toIntegrationEvent(event, callbackUri);
  return [
    randomUUID(),
    event.callId,
    integration.type,
    JSON.stringify(integration.data),
    iso(event.occurredAt),
    trace.traceparent ?? null,
    trace.tracestate ?? null,
  ];
}

export function toOperationProps(row: Row): MediaOperationProps {
  const code = int(row.result_code);
  return {
    id: String(row.id),
    callId: String(row.call_id),
    kind: row.kind as MediaOperationKind,
    sequence: Number(row.sequence),
    clientContext: (row.client_context as string | null) ?? null,
    parameters: parsed(row.parameters),
    status: row.status as OperationStatus,
    resultInfo:
      code === null ? null : { code, subcode: int(row.result_subcode) ?? 0, message: String(row.result_message ?? '') },
    completionReason: (row.completion_reason as RecordCompletionReason | null) ?? null,
    recordingLocation: (row.recording_location as string | null) ?? null,
    recordingAccessToken: (row.recording_access_token as string | null) ?? null,
    cancelledOperations: parsed(row.cancelled_operations),
    notCancelledOperations: parsed(row.not_cancelled_operations),
    playedDurationMs: int(row.played_duration_ms),
    createdAt: date(row.created_at)!,
    startedAt: date(row.started_at),
    endedAt: date(row.ended_at),
  };
}

export function toCall(row: Row, activeOperations: Row[]): Call {
  const props: CallProps = {
    id: String(row.id),
    owner: { tenantId: String(row.tenant_id), appId: String(row.app_id) },
    description: {
      callbackUri: String(row.callback_uri),
      direction: row.direction as 'incoming' | 'outgoing',
      requestedModalities: parsed(row.requested_modalities),
      mediaConfig: parsed(row.media_config),
      source: parsed(row.source),
      targets: parsed(row.targets),
      subject: (row.subject as string | null) ?? null,
      chatInfo: parsed(row.chat_info),
      meetingInfo: parsed(row.meeting_info),
      callOptions: parsed(row.call_options),
    },
    myParticipantId: String(row.my_participant_id),
    state: row.state as CallProps['state'],
    operationSequence: Number(row.operation_sequence),
    toneSubscribed: Number(row.tone_subscribed) === 1,
    toneSequence: Number(row.tone_sequence),
    keepAliveDeadline: date(row.keepalive_deadline)!,
    resultInfo: parsed(row.result_info),
    version: Number(row.version),
    createdAt: date(row.created_at)!,
    updatedAt: date(row.updated_at)!,
  };
  return Call.restore(
    props,
    activeOperations.map((op) => MediaOperation.restore(toOperationProps(op))),
  );
}
