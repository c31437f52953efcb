import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Outbox rows the replica that wrote them publishes itself, right after the
 * commit: `relay_after` is when the relay may take them anyway (the writer
 * died or its publish failed); NULL, at once. The partial index serves the
 * save's question "has this call an event still unpublished?". Additive, so
 * part of this release's expand step (docs/operations.md): the previous
 * release neither reads nor writes the column, and this one needs it.
 */
export class OutboxDirectPublish1764266000000 implements MigrationInterface {
  name = 'OutboxDirectPublish1764266000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.options.type === 'postgres';
    await queryRunner.addColumn(
      'outbox',
      new TableColumn({
        name: 'relay_after',
        ...(pg ? { type: 'timestamptz' } : { type: 'varchar', length: '32' }),
        isNullable: true,
      }),
    );
    await queryRunner.createIndex(
      'outbox',
      new TableIndex({
        name: 'ix_outbox_unpublished_by_call',
        columnNames: ['aggregate_id', 'position'],
        where: 'published_at IS NULL',
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('outbox', 'ix_outbox_unpublished_by_call');
    await queryRunner.dropColumn('outbox', 'relay_after');
  }
}
