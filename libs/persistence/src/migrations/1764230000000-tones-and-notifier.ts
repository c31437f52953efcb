import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * Tone subscription on calls, and the notifier's inbox: every event it took
 * (unique by event id, so a redelivered event is not sent twice), in arrival
 * order per call, with its delivery state; rows that gave up are the dead
 * letters an operator lists and replays.
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
        name: 'notifier_inbox',
        columns: [
          { name: 'position', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'event_id', type: 'varchar', length: '64', isUnique: true },
          { name: 'call_id', type: 'varchar', length: '36' },
          { name: 'event', type: 'text' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'next_attempt_at', type: 'varchar', length: '32' },
          { name: 'first_attempt_at', type: 'varchar', length: '32', isNullable: true },
          { name: 'claimed_until', type: 'varchar', length: '32', isNullable: true },
          { name: 'last_error', type: 'varchar', length: '1024', isNullable: true },
          { name: 'received_at', type: 'varchar', length: '32' },
          { name: 'finished_at', type: 'varchar', length: '32', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'ix_notifier_inbox_pending', columnNames: ['status', 'call_id', 'position'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('notifier_inbox');
    await queryRunner.dropColumn('calls', 'tone_sequence');
    await queryRunner.dropColumn('calls', 'tone_subscribed');
  }
}
