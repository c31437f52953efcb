import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Additive, one step. The index the retention sweep reads: ended calls by
 * the time they ended (a terminated call's updated_at), so deleting those
 * past CALL_RETENTION_S never scans the live calls. And the call's last
 * tone, by Graph's name, for its toneInfo (null on calls from before).
 */
export class CallRetentionAndTones1764290000000 implements MigrationInterface {
  name = 'CallRetentionAndTones1764290000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'calls',
      new TableIndex({ name: 'ix_calls_ended', columnNames: ['updated_at'], where: "state = 'terminated'" }),
    );
    await queryRunner.addColumn(
      'calls',
      new TableColumn({ name: 'last_tone', type: 'varchar', length: '8', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('calls', 'last_tone');
    await queryRunner.dropIndex('calls', 'ix_calls_ended');
  }
}
