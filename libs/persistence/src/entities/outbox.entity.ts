import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { isoTimestamp, jsonText } from './column.transformers';

/**
 * A domain event waiting to leave the process. `position` is the global
 * write order, which a relay follows to keep events of one call in order.
 */
@Entity({ name: 'outbox' })
export class OutboxEntity {
  @PrimaryGeneratedColumn('increment')
  position: number;

  @Column({ type: 'varchar', length: 36, unique: true })
  id: string;

  @Column({ name: 'aggregate_id', type: 'varchar', length: 36 })
  aggregateId: string;

  @Column({ type: 'varchar', length: 64 })
  type: string;

  @Column({ type: 'text', transformer: jsonText })
  payload: Record<string, unknown>;

  @Column({ name: 'occurred_at', type: 'varchar', length: 32, transformer: isoTimestamp })
  occurredAt: Date;

  @Column({ name: 'published_at', type: 'varchar', length: 32, nullable: true, transformer: isoTimestamp })
  publishedAt: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;
}
