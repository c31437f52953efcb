import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** Idempotency keys of retried POSTs, per application per tenant, with the first answer. */
export class IdempotencyKeys1764240000000 implements MigrationInterface {
  name = 'IdempotencyKeys1764240000000';

  async up(queryRunner: QueryRunner): Promise<void> {
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
          { name: 'response_body', type: 'text', isNullable: true },
          { name: 'response_location', type: 'varchar', length: '2048', isNullable: true },
          { name: 'locked_until', type: 'varchar', length: '32' },
          { name: 'expires_at', type: 'varchar', length: '32' },
        ],
        indices: [new TableIndex({ name: 'ix_idempotency_keys_expiry', columnNames: ['expires_at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('idempotency_keys');
  }
}
