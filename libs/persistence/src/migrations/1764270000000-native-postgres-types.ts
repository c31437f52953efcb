import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

type Kind = 'uuid' | 'jsonb' | 'timestamptz';

/** Every column that changes type on PostgreSQL, by table. */
const CONVERSIONS: Record<string, Record<string, Kind>> = {
  calls: {
    id: 'uuid',
    my_participant_id: 'uuid',
    requested_modalities: 'jsonb',
    media_config: 'jsonb',
    source: 'jsonb',
    targets: 'jsonb',
    result_info: 'jsonb',
    chat_info: 'jsonb',
    meeting_info: 'jsonb',
    call_options: 'jsonb',
    created_at: 'timestamptz',
    updated_at: 'timestamptz',
    keepalive_deadline: 'timestamptz',
  },
  media_operations: {
    id: 'uuid',
    call_id: 'uuid',
    parameters: 'jsonb',
    cancelled_operations: 'jsonb',
    not_cancelled_operations: 'jsonb',
    created_at: 'timestamptz',
    started_at: 'timestamptz',
    ended_at: 'timestamptz',
  },
  outbox: {
    id: 'uuid',
    aggregate_id: 'uuid',
    payload: 'jsonb',
    occurred_at: 'timestamptz',
    published_at: 'timestamptz',
  },
  notifier_inbox: {
    event: 'jsonb',
    next_attempt_at: 'timestamptz',
    first_attempt_at: 'timestamptz',
    claimed_until: 'timestamptz',
    received_at: 'timestamptz',
    finished_at: 'timestamptz',
  },
  idempotency_keys: { response_body: 'jsonb', locked_until: 'timestamptz', expires_at: 'timestamptz' },
};

/** What each type was before (the earlier migrations' representations), for `down`. */
const BEFORE: Record<Kind, (column: string) => string> = {
  uuid: (column) => `varchar(36) USING ${column}::text`,
  jsonb: (column) => `text USING ${column}::text`,
  // The exact ISO-8601 UTC text the earlier code wrote (Date.prototype.toISOString).
  timestamptz: (column) => `varchar(32) USING to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
};

/**
 * Native PostgreSQL types: `uuid` for the ids the service mints, `timestamptz`
 * for every time, `jsonb` for every JSON value, `boolean` for the tone flag.
 * The tables are converted in place (every row kept; each value cast from the
 * text the earlier code wrote), and `outbox.attempts`, which nothing ever
 * wrote or read, is dropped. SQLite keeps its representations (ISO-8601 text,
 * JSON text, 0/1): only the unused column goes.
 *
 * Rolling out: the release that brings this migration reads and writes both
 * representations (see SqlDialect), so deploy it first with the migration held
 * back, then run the migration; docs/operations.md has the steps.
 */
export class NativePostgresTypes1764270000000 implements MigrationInterface {
  name = 'NativePostgresTypes1764270000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('outbox', 'attempts');
    if (queryRunner.connection.options.type !== 'postgres') return;
    // The key and its reference change type together: drop the constraint, convert both, restore it as it was.
    const foreignKey = await this.callForeignKey(queryRunner);
    await queryRunner.dropForeignKey('media_operations', foreignKey);
    for (const [table, columns] of Object.entries(CONVERSIONS)) {
      const changes = Object.entries(columns).map(
        ([column, kind]) => `ALTER COLUMN ${column} TYPE ${kind} USING ${column}::${kind}`,
      );
      await queryRunner.query(`ALTER TABLE ${table} ${changes.join(', ')}`);
    }
    await queryRunner.query(
      `ALTER TABLE calls ALTER COLUMN tone_subscribed DROP DEFAULT,
         ALTER COLUMN tone_subscribed TYPE boolean USING tone_subscribed <> 0,
         ALTER COLUMN tone_subscribed SET DEFAULT false`,
    );
    await queryRunner.createForeignKey('media_operations', foreignKey);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'postgres') {
      const foreignKey = await this.callForeignKey(queryRunner);
      await queryRunner.dropForeignKey('media_operations', foreignKey);
      for (const [table, columns] of Object.entries(CONVERSIONS)) {
        const changes = Object.entries(columns).map(
          ([column, kind]) => `ALTER COLUMN ${column} TYPE ${BEFORE[kind](column)}`,
        );
        await queryRunner.query(`ALTER TABLE ${table} ${changes.join(', ')}`);
      }
      await queryRunner.query(
        `ALTER TABLE calls ALTER COLUMN tone_subscribed DROP DEFAULT,
           ALTER COLUMN tone_subscribed TYPE integer USING CASE WHEN tone_subscribed THEN 1 ELSE 0 END,
           ALTER COLUMN tone_subscribed SET DEFAULT 0`,
      );
      await queryRunner.createForeignKey('media_operations', foreignKey);
    }
    await queryRunner.addColumn('outbox', new TableColumn({ name: 'attempts', type: 'integer', default: 0 }));
  }

  private async callForeignKey(queryRunner: QueryRunner) {
    const table = await queryRunner.getTable('media_operations');
    const foreignKey = table?.foreignKeys.find((key) => key.columnNames.join() === 'call_id');
    if (!foreignKey) throw new Error('media_operations has no foreign key on call_id');
    return foreignKey;
  }
}
