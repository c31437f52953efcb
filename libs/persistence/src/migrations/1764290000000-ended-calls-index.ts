import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * The index the retention sweep reads: ended calls by the time they ended
 * (a terminated call's updated_at), so deleting those past CALL_RETENTION_S
 * never scans the live calls.
 */
export class EndedCallsIndex1764290000000 implements MigrationInterface {
  name = 'EndedCallsIndex1764290000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'calls',
      new TableIndex({ name: 'ix_calls_ended', columnNames: ['updated_at'], where: "state = 'terminated'" }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('calls', 'ix_calls_ended');
  }
}
