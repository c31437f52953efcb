import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * The previous release's idempotency keys, replaced by command_receipts
 * (1764265000000). Dropped in the contract step of docs/operations.md, when no
 * replica of that release is left to write them; first, every unexpired key
 * with a stored answer becomes a receipt holding that answer (`{ answer:
 * { status, body, location } }`, replayed as it was sent), so a retry across
 * the upgrade does not run its command twice. A key whose first request had
 * not finished has no answer to replay and is left out, and counted. The old
 * release hashed the request exactly as receipts fingerprint it (the path
 * and the canonical body), so its hash is the receipt's fingerprint.
 */
export class DropIdempotencyKeys1764280000000 implements MigrationInterface {
  name = 'DropIdempotencyKeys1764280000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.options.type === 'postgres';
    const now = new Date().toISOString();
    const live: Record<string, unknown>[] = await queryRunner.query(
      `SELECT * FROM idempotency_keys WHERE expires_at > ${pg ? '$1::timestamptz' : '?'}`,
      [now],
    );
    const answered = live.filter((key) => key.status === 'done' && key.response_status !== null);
    for (const key of answered) {
      const body = typeof key.response_body === 'string' ? JSON.parse(key.response_body) : key.response_body;
      const answer = { answer: { status: key.response_status, body: body ?? null, location: key.response_location } };
      const expires = key.expires_at instanceof Date ? key.expires_at.toISOString() : String(key.expires_at);
      const values = [
        key.tenant_id,
        key.app_id,
        key.idempotency_key,
        key.request_hash,
        JSON.stringify(answer),
        now,
        expires,
      ];
      const placeholders = values.map((_, i) => (pg ? `$${i + 1}` : '?')).join(', ');
      // A receipt this release already wrote for the key wins: it is the newer answer.
      await queryRunner.query(
        `INSERT INTO command_receipts (tenant_id, app_id, idempotency_key, fingerprint, result, created_at, expires_at)
         VALUES (${placeholders}) ON CONFLICT (tenant_id, app_id, idempotency_key) DO NOTHING`,
        values,
      );
    }
    const unanswered = live.length - answered.length;
    // Said on the migration's output (the Job's log, or the service's at an embedded start), when there was any.
    if (live.length > 0)
      console.error(
        `${this.name}: carried ${answered.length} idempotency key(s) into command receipts` +
          (unanswered > 0
            ? `; left out ${unanswered} whose first request never finished (no answer was stored to replay)`
            : ''),
      );
    await queryRunner.dropTable('idempotency_keys');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The table comes back empty, in the types of the schema it returns to (native on PostgreSQL).
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
  }
}
