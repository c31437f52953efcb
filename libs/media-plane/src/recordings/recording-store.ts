import { Pool } from 'pg';

export interface RecordingRow {
  readonly id: string;
  readonly callId: string;
  readonly operationId: string;
  readonly wav: Buffer;
  /** SHA-256 of the recording's access token: the token itself is never stored. */
  readonly tokenSha256: Buffer;
  readonly expiresAt: Date;
}

/** Where recordings wait to be downloaded, until they expire. */
export interface RecordingStore {
  start(): Promise<void>;
  save(row: RecordingRow): Promise<void>;
  /** The recording, unless there is none or it expired. */
  find(id: string, now: Date): Promise<RecordingRow | null>;
  /** Deletes the expired ones; answers how many. */
  prune(now: Date): Promise<number>;
  close(): Promise<void>;
}

/**
 * Recordings in PostgreSQL, where every gateway replica can serve them
 * whichever replica recorded. The gateway owns this one table and creates it
 * itself at start (it is not part of the service's schema and migrations:
 * the gateway may use a database of its own).
 */
export class PostgresRecordingStore implements RecordingStore {
  private readonly pool: Pool;

  constructor(databaseUrl: string) {
    this.pool = new Pool({ connectionString: databaseUrl, max: 4 });
  }

  async start(): Promise<void> {
    await this.pool.query(`
      CREATE TABLE IF NOT EXISTS media_recordings (
        id uuid PRIMARY KEY,
        call_id text NOT NULL,
        operation_id text NOT NULL,
        token_sha256 bytea NOT NULL,
        wav bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await this.pool.query('CREATE INDEX IF NOT EXISTS media_recordings_expires_at ON media_recordings (expires_at)');
  }

  async save(row: RecordingRow): Promise<void> {
    await this.pool.query(
      `INSERT INTO media_recordings (id, call_id, operation_id, token_sha256, wav, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [row.id, row.callId, row.operationId, row.tokenSha256, row.wav, row.expiresAt],
    );
  }

  async find(id: string, now: Date): Promise<RecordingRow | null> {
    const { rows } = await this.pool.query<{
      id: string;
      call_id: string;
      operation_id: string;
      token_sha256: Buffer;
      wav: Buffer;
      expires_at: Date;
    }>(
      `SELECT id, call_id, operation_id, token_sha256, wav, expires_at FROM media_recordings
       WHERE id = $1 AND expires_at > $2`,
      [id, now],
    );
    const row = rows[0];
    return row
      ? {
          id: row.id,
          callId: row.call_id,
          operationId: row.operation_id,
          tokenSha256: row.token_sha256,
          wav: row.wav,
          expiresAt: row.expires_at,
        }
      : null;
  }

  async prune(now: Date): Promise<number> {
    const result = await this.pool.query('DELETE FROM media_recordings WHERE expires_at <= $1', [now]);
    return result.rowCount ?? 0;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Without a database: recordings in this process only, served by this replica alone (one replica, or a trial). */
export class MemoryRecordingStore implements RecordingStore {
  private readonly rows = new Map<string, RecordingRow>();

  async start(): Promise<void> {}

  async save(row: RecordingRow): Promise<void> {
    this.rows.set(row.id, row);
  }

  async find(id: string, now: Date): Promise<RecordingRow | null> {
    const row = this.rows.get(id);
    return row && row.expiresAt > now ? row : null;
  }

  async prune(now: Date): Promise<number> {
    let pruned = 0;
    for (const [id, row] of this.rows) {
      if (row.expiresAt > now) continue;
      this.rows.delete(id);
      pruned += 1;
    }
    return pruned;
  }

  async close(): Promise<void> {
    this.rows.clear();
  }
}
