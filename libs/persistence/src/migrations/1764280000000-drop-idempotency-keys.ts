import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * The previous release's idempotency keys, replaced by command_receipts
 * (1764265000000). Dropped in the contract step of docs/operations.md, when no
 * replica of that release is left to read them.
 */
export class DropIdempotencyKeys1764280000000 implements MigrationInterface {
  name = 'DropIdempotencyKeys1764280000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('idempotency_keys');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The table comes back empty, in the types of the schema it returns to (native on PostgreSQL).
    const pg = queryRunner.connection.options.type === 'postgres';
    const time = pg ? { type: 'timestamptz' } : { type: 'varchar', length: '32' };
    await queryRunner.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          { name: 'tenant_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'app_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'idempotency_key', type: 'varchar', length: '128', isPrimary: true },
          { name: 'request_hash', type: 'varchar', length: '64' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'response_status', type: 'integer', isNullable: true },
          { name: 'response_body', type: pg ? 'jsonb' : 'text', isNullable: true },
          { name: 'response_location', type: 'varchar', length: '2048', isNullable: true },
          { name: 'locked_until', ...time },
          { name: 'expires_at', ...time },
        ],
        indices: [new TableIndex({ name: 'ix_idempotency_keys_expiry', columnNames: ['expires_at'] })],
      }),
    );
  }
}
