import { Column, Entity, PrimaryColumn } from 'typeorm';
import { isoTimestamp, jsonText } from './column.transformers';

@Entity({ name: 'calls' })
export class CallEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 64 })
  tenantId: string;

  @Column({ name: 'app_id', type: 'varchar', length: 64 })
  appId: string;

  @Column({ type: 'varchar', length: 32 })
  state: string;

  @Column({ name: 'callback_uri', type: 'varchar', length: 2048 })
  callbackUri: string;

  @Column({ type: 'varchar', length: 16 })
  direction: string;

  @Column({ name: 'requested_modalities', type: 'text', transformer: jsonText })
  requestedModalities: string[];

  @Column({ name: 'media_config', type: 'text', transformer: jsonText })
  mediaConfig: Record<string, unknown>;

  @Column({ type: 'text', nullable: true, transformer: jsonText })
  source: Record<string, unknown> | null;

  @Column({ type: 'text', transformer: jsonText })
  targets: Record<string, unknown>[];

  @Column({ type: 'varchar', length: 1024, nullable: true })
  subject: string | null;

  @Column({ name: 'my_participant_id', type: 'varchar', length: 36 })
  myParticipantId: string;

  @Column({ name: 'operation_sequence', type: 'integer' })
  operationSequence: number;

  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'created_at', type: 'varchar', length: 32, transformer: isoTimestamp })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'varchar', length: 32, transformer: isoTimestamp })
  updatedAt: Date;
}
