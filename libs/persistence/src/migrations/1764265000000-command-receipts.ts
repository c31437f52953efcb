import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * Receipts of keyed commands (Idempotency-Key): the fingerprint of the
 * request and the command's result, written in the same transaction as the
 * call's changes. They replace `idempotency_keys`, whose claim-then-complete
 * rows (an HTTP answer, a lease) lived in transactions of their own. Adding a
 * table is the expand step of docs/operations.md: the release that uses it
 * needs it before any replica runs; 1764280000000 drops the old one once no
 * replica of the previous release does.
 */
export class CommandReceipts1764265000000 implements MigrationInterface {
  name = 'CommandReceipts1764265000000';

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
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('command_receipts');
  }
}
