import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Call, ConcurrencyConflictError } from '@calls/domain';
import type { CallOwner, CallRepository, MediaOperationProps } from '@calls/domain';
import { CallMapper } from './call.mapper';
import { CallEntity } from './entities/call.entity';
import { MediaOperationEntity } from './entities/media-operation.entity';
import { OutboxEntity } from './entities/outbox.entity';

// Casts to QueryDeepPartialEntity: TypeORM's deep-partial type rejects the
// `Record<string, unknown>` of the JSON columns; the mapper owns their shape.

/** Columns an operation may change after it was created (the upsert's update list). */
const MUTABLE_OPERATION_COLUMNS = [
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
];

/**
 * The CallRepository port on TypeORM. A save is one transaction of at most
 * three statements whatever the number of operations it touches: the call row
 * (guarded by its version), one multi-row upsert of the changed operations,
 * and one multi-row insert into the outbox.
 */
@Injectable()
export class CallTypeormRepository implements CallRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findOwned(owner: CallOwner, callId: string): Promise<Call | null> {
    return this.load({ id: callId, tenantId: owner.tenantId, appId: owner.appId });
  }

  findById(callId: string): Promise<Call | null> {
    return this.load({ id: callId });
  }

  async findOperation(
    owner: CallOwner,
    callId: string,
    operationId: string,
  ): Promise<Readonly<MediaOperationProps> | null> {
    const row = await this.dataSource
      .getRepository(MediaOperationEntity)
      .createQueryBuilder('op')
      .innerJoin(CallEntity, 'call', 'call.id = op.call_id')
      .where('op.id = :operationId AND op.call_id = :callId', { operationId, callId })
      .andWhere('call.tenant_id = :tenantId AND call.app_id = :appId', owner)
      .getOne();
    return row ? CallMapper.toOperationProps(row) : null;
  }

  async save(call: Call): Promise<void> {
    const props = call.snapshot();
    const operations = call.changedOperations().map((op) => CallMapper.toOperationRow(op.snapshot()));
    const outbox = call.getUncommittedEvents().map((event) => CallMapper.toOutboxRow(event));
    const nextVersion = props.version + 1;
    await this.dataSource.transaction(async (manager) => {
      const row = CallMapper.toCallRow(props, nextVersion);
      if (props.version === 0) {
        await manager.insert(CallEntity, row as QueryDeepPartialEntity<CallEntity>);
      } else {
        const { id, ...changes } = row;
        const result = await manager
          .createQueryBuilder()
          .update(CallEntity)
          .set(changes as QueryDeepPartialEntity<CallEntity>)
          .where('id = :id AND version = :version', { id, version: props.version })
          .execute();
        // Rolling back here keeps the operations and outbox rows of a stale decision out.
        if (result.affected !== 1) throw new ConcurrencyConflictError(props.id);
      }
      if (operations.length > 0) {
        await manager
          .createQueryBuilder()
          .insert()
          .into(MediaOperationEntity)
          .values(operations)
          .orUpdate(MUTABLE_OPERATION_COLUMNS, ['id'])
          .updateEntity(false)
          .execute();
      }
      if (outbox.length > 0) {
        await manager
          .createQueryBuilder()
          .insert()
          .into(OutboxEntity)
          .values(outbox as QueryDeepPartialEntity<OutboxEntity>[])
          .updateEntity(false)
          .execute();
      }
    });
    call.markPersisted();
  }

  private async load(where: Partial<Pick<CallEntity, 'id' | 'tenantId' | 'appId'>>): Promise<Call | null> {
    const row = await this.dataSource.getRepository(CallEntity).findOneBy(where);
    if (!row) return null;
    const active = await this.dataSource.getRepository(MediaOperationEntity).find({
      where: { callId: row.id, status: In(['notStarted', 'running']) },
      order: { sequence: 'ASC' },
    });
    return CallMapper.toCall(row, active);
  }
}
