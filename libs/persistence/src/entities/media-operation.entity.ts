import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { CancelledOperationRef, OperationParameters } from '@calls/domain';
import { isoTimestamp, jsonText } from './column.transformers';

@Entity({ name: 'media_operations' })
export class MediaOperationEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'call_id', type: 'varchar', length: 36 })
  callId: string;

  @Column({ type: 'varchar', length: 32 })
  kind: string;

  /** Queue position within the call. */
  @Column({ type: 'integer' })
  sequence: number;

  @Column({ type: 'varchar', length: 16 })
  status: string;

  @Column({ name: 'client_context', type: 'varchar', length: 256, nullable: true })
  clientContext: string | null;

  @Column({ type: 'text', transformer: jsonText })
  parameters: OperationParameters;

  @Column({ name: 'result_code', type: 'integer', nullable: true })
  resultCode: number | null;

  @Column({ name: 'result_subcode', type: 'integer', nullable: true })
  resultSubcode: number | null;

  @Column({ name: 'result_message', type: 'varchar', length: 1024, nullable: true })
  resultMessage: string | null;

  @Column({ name: 'completion_reason', type: 'varchar', length: 32, nullable: true })
  completionReason: string | null;

  @Column({ name: 'recording_location', type: 'varchar', length: 2048, nullable: true })
  recordingLocation: string | null;

  @Column({ name: 'recording_access_token', type: 'varchar', length: 2048, nullable: true })
  recordingAccessToken: string | null;

  @Column({ name: 'cancelled_operations', type: 'text', nullable: true, transformer: jsonText })
  cancelledOperations: CancelledOperationRef[] | null;

  @Column({ name: 'created_at', type: 'varchar', length: 32, transformer: isoTimestamp })
  createdAt: Date;

  @Column({ name: 'started_at', type: 'varchar', length: 32, nullable: true, transformer: isoTimestamp })
  startedAt: Date | null;

  @Column({ name: 'ended_at', type: 'varchar', length: 32, nullable: true, transformer: isoTimestamp })
  endedAt: Date | null;
}
