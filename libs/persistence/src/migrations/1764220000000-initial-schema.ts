import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import type { TableColumnOptions } from 'typeorm/schema-builder/options/TableColumnOptions';

const id = (name = 'id'): TableColumnOptions => ({ name, type: 'varchar', length: '36', isPrimary: name === 'id' });
const text = (name: string, length: string, isNullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length,
  isNullable,
});
const json = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'text', isNullable });
const int = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'integer', isNullable });
const timestamp = (name: string, isNullable = false): TableColumnOptions => text(name, '32', isNullable);

/** Calls, their media operations and the outbox; written with the Table API so it runs on PostgreSQL and SQLite. */
export class InitialSchema1764220000000 implements MigrationInterface {
  name = 'InitialSchema1764220000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'calls',
        columns: [
          id(),
          text('tenant_id', '64'),
          text('app_id', '64'),
          text('state', '32'),
          text('callback_uri', '2048'),
          text('direction', '16'),
          json('requested_modalities'),
          json('media_config'),
          json('source', true),
          json('targets'),
          text('subject', '1024', true),
          text('my_participant_id', '36'),
          int('operation_sequence'),
          int('version'),
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [new TableIndex({ name: 'ix_calls_owner', columnNames: ['tenant_id', 'app_id', 'id'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'media_operations',
        columns: [
          id(),
          id('call_id'),
          text('kind', '32'),
          int('sequence'),
          text('status', '16'),
          text('client_context', '256', true),
          json('parameters'),
          int('result_code', true),
          int('result_subcode', true),
          text('result_message', '1024', true),
          text('completion_reason', '32', true),
          text('recording_location', '2048', true),
          text('recording_access_token', '2048', true),
          json('cancelled_operations', true),
          timestamp('created_at'),
          timestamp('started_at', true),
          timestamp('ended_at', true),
        ],
        foreignKeys: [{ columnNames: ['call_id'], referencedTableName: 'calls', referencedColumnNames: ['id'] }],
        // The aggregate loads only the operations still queued or running.
        indices: [new TableIndex({ name: 'ix_media_operations_active', columnNames: ['call_id', 'status'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'outbox',
        columns: [
          { name: 'position', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { ...id('id'), isPrimary: false, isUnique: true },
          id('aggregate_id'),
          text('type', '64'),
          json('payload'),
          timestamp('occurred_at'),
          timestamp('published_at', true),
          { name: 'attempts', type: 'integer', default: 0 },
        ],
        indices: [new TableIndex({ name: 'ix_outbox_unpublished', columnNames: ['published_at', 'position'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('outbox');
    await queryRunner.dropTable('media_operations');
    await queryRunner.dropTable('calls');
  }
}
