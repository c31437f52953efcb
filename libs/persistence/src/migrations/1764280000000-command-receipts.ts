import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * Receipts of keyed commands (Idempotency-Key): the fingerprint of the
 * request and the command's result, written in the same transaction as the
 * call's changes. They replace `idempotency_keys`, whose claim-then-complete
 * rows (an HTTP answer, a lease) lived in transactions of their own; that
 * table is dropped here, in the contract step of docs/operations.md, once no
 * replica of the previous release runs.
 */
export class CommandReceipts1764280000000 implements MigrationInterface {
  name = 'CommandReceipts1764280000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.options.type === 'postgres';
    const time = pg ? { type: 'timestamptz' } : { type: 'varchar', length: '32' };
    await queryRunner.createTable(
      new Table({
        name: 'command_receipts',
        columns: [
          { name: 'tenant_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'app_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'idempotency_key', type: 'varchar', length: '128', isPrimary: true },
          { name: 'fingerprint', type: 'varchar', length: '64' },
          { name: 'result', type: pg ? 'jsonb' : 'text', isNullable: true },
          { name: 'created_at', ...time },
          { name: 'expires_at', ...time },
        ],
        indices: [new TableIndex({ name: 'ix_command_receipts_expiry', columnNames: ['expires_at'] })],
      }),
    );
    await queryRunner.dropTable('idempotency_keys');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The earlier table comes back empty: its rows were answers of a protocol this release no longer speaks.
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
    await queryRunner.dropTable('command_receipts');
  }
}
