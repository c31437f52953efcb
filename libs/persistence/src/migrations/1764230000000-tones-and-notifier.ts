import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * Tone subscription on calls, and the notifier's own tables: the events it
 * delivered (so a redelivered event is not sent twice) and the dead letters
 * an operator can list and replay.
 */
export class TonesAndNotifier1764230000000 implements MigrationInterface {
  name = 'TonesAndNotifier1764230000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('calls', [
      new TableColumn({ name: 'tone_subscribed', type: 'integer', default: 0 }),
      new TableColumn({ name: 'tone_sequence', type: 'integer', default: 0 }),
    ]);
    await queryRunner.createTable(
      new Table({
        name: 'notifier_deliveries',
        columns: [
          { name: 'event_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'call_id', type: 'varchar', length: '36' },
          { name: 'outcome', type: 'varchar', length: '16' },
          { name: 'attempts', type: 'integer' },
          { name: 'delivered_at', type: 'varchar', length: '32' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'notifier_dead_letters',
        columns: [
          { name: 'event_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'call_id', type: 'varchar', length: '36' },
          { name: 'callback_uri', type: 'varchar', length: '2048' },
          { name: 'event', type: 'text' },
          { name: 'last_error', type: 'varchar', length: '1024' },
          { name: 'attempts', type: 'integer' },
          { name: 'failed_at', type: 'varchar', length: '32' },
          { name: 'replayed_at', type: 'varchar', length: '32', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'ix_dead_letters_open', columnNames: ['replayed_at', 'failed_at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('notifier_dead_letters');
    await queryRunner.dropTable('notifier_deliveries');
    await queryRunner.dropColumn('calls', 'tone_sequence');
    await queryRunner.dropColumn('calls', 'tone_subscribed');
  }
}
