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
import { CallEntity } from './entities/call.entity';
import { MediaOperationEntity } from './entities/media-operation.entity';
import { OutboxEntity } from './entities/outbox.entity';

/** Between the aggregate and its rows; the only place that knows both shapes. */
export const CallMapper = {
  toCall(row: CallEntity, activeOperations: MediaOperationEntity[]): Call {
    const props: CallProps = {
      id: row.id,
      owner: { tenantId: row.tenantId, appId: row.appId },
      description: {
        callbackUri: row.callbackUri,
        direction: row.direction as 'incoming' | 'outgoing',
        requestedModalities: row.requestedModalities,
        mediaConfig: row.mediaConfig,
        source: row.source,
        targets: row.targets,
        subject: row.subject,
      },
      myParticipantId: row.myParticipantId,
      state: row.state as CallProps['state'],
      operationSequence: row.operationSequence,
      version: row.version,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
    return Call.restore(
      props,
      activeOperations.map((op) => MediaOperation.restore(CallMapper.toOperationProps(op))),
    );
  },

  toCallRow(props: Readonly<CallProps>, version: number): CallEntity {
    const { description: d } = props;
    return Object.assign(new CallEntity(), {
      id: props.id,
      tenantId: props.owner.tenantId,
      appId: props.owner.appId,
      state: props.state,
      callbackUri: d.callbackUri,
      direction: d.direction,
      requestedModalities: [...d.requestedModalities],
      mediaConfig: d.mediaConfig,
      source: d.source,
      targets: [...d.targets],
      subject: d.subject,
      myParticipantId: props.myParticipantId,
      operationSequence: props.operationSequence,
      version,
      createdAt: props.createdAt,
      updatedAt: props.updatedAt,
    });
  },

  toOperationProps(row: MediaOperationEntity): MediaOperationProps {
    return {
      id: row.id,
      callId: row.callId,
      kind: row.kind as MediaOperationKind,
      sequence: row.sequence,
      clientContext: row.clientContext,
      parameters: row.parameters,
      status: row.status as OperationStatus,
      resultInfo:
        row.resultCode === null
          ? null
          : { code: row.resultCode, subcode: row.resultSubcode ?? 0, message: row.resultMessage ?? '' },
      completionReason: row.completionReason as RecordCompletionReason | null,
      recordingLocation: row.recordingLocation,
      recordingAccessToken: row.recordingAccessToken,
      cancelledOperations: row.cancelledOperations,
      createdAt: row.createdAt,
      startedAt: row.startedAt,
      endedAt: row.endedAt,
    };
  },

  toOperationRow(op: Readonly<MediaOperationProps>): MediaOperationEntity {
    return Object.assign(new MediaOperationEntity(), {
      id: op.id,
      callId: op.callId,
      kind: op.kind,
      sequence: op.sequence,
      status: op.status,
      clientContext: op.clientContext,
      parameters: op.parameters,
      resultCode: op.resultInfo?.code ?? null,
      resultSubcode: op.resultInfo?.subcode ?? null,
      resultMessage: op.resultInfo?.message ?? null,
      completionReason: op.completionReason,
      recordingLocation: op.recordingLocation,
      recordingAccessToken: op.recordingAccessToken,
      cancelledOperations: op.cancelledOperations ? [...op.cancelledOperations] : null,
      createdAt: op.createdAt,
      startedAt: op.startedAt,
      endedAt: op.endedAt,
    });
  },

  toOutboxRow(event: CallEvent): OutboxEntity {
    const { eventName, ...payload } = event;
    return Object.assign(new OutboxEntity(), {
      id: randomUUID(),
      aggregateId: event.callId,
      type: eventName,
      payload: JSON.parse(JSON.stringify(payload)) as Record<string, unknown>,
      occurredAt: event.occurredAt,
      publishedAt: null,
      attempts: 0,
    });
  },
};
