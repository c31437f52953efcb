import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { SqlBuilder } from '../schema/sql-builder';

/** Graph's keepAlive timeout, for the deadline of calls that were created before there was one. */
const KEEPALIVE_TIMEOUT_MS = 45 * 60_000;

/**
 * What Graph fidelity round 2 stores: each call's keepAlive deadline (kept in
 * the database, so it survives restarts and every replica sees the same one)
 * and why it ended; the create-call properties that were dropped before
 * (chatInfo, meetingInfo, callOptions); and, per operation, how long its media
 * ran and which operations a selective cancel found already ended.
 */
export class CallLifetimeAndMediaProgress1764260000000 implements MigrationInterface {
  name = 'CallLifetimeAndMediaProgress1764260000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('calls', [
      new TableColumn({ name: 'keepalive_deadline', type: 'varchar', length: '32', isNullable: true }),
      new TableColumn({ name: 'result_info', type: 'text', isNullable: true }),
      new TableColumn({ name: 'chat_info', type: 'text', isNullable: true }),
      new TableColumn({ name: 'meeting_info', type: 'text', isNullable: true }),
      new TableColumn({ name: 'call_options', type: 'text', isNullable: true }),
    ]);
    // Calls already up get a full timeout from now, rather than ending the moment this runs.
    const q = new SqlBuilder(queryRunner.connection.options.type === 'postgres' ? 'postgres' : 'sqlite');
    await queryRunner.query(
      `UPDATE calls SET keepalive_deadline = ${q.param(new Date(Date.now() + KEEPALIVE_TIMEOUT_MS).toISOString())}
       WHERE keepalive_deadline IS NULL`,
      q.params,
    );
    // The expiry sweep reads only live calls, oldest deadline first.
    await queryRunner.createIndex(
      'calls',
      new TableIndex({
        name: 'ix_calls_live_keepalive',
        columnNames: ['keepalive_deadline'],
        where: "state <> 'terminated'",
      }),
    );
    await queryRunner.addColumns('media_operations', [
      new TableColumn({ name: 'played_duration_ms', type: 'integer', isNullable: true }),
      new TableColumn({ name: 'not_cancelled_operations', type: 'text', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumns('media_operations', ['played_duration_ms', 'not_cancelled_operations']);
    await queryRunner.dropIndex('calls', 'ix_calls_live_keepalive');
    await queryRunner.dropColumns('calls', [
      'keepalive_deadline',
      'result_info',
      'chat_info',
      'meeting_info',
      'call_options',
    ]);
  }
}
