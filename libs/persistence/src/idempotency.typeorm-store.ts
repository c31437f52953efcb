import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IDEMPOTENCY_SETTINGS } from '@calls/application';
import type { IdempotencyBegin, IdempotencySettings, IdempotencyStore, StoredResponse } from '@calls/application';
import type { CallOwner } from '@calls/domain';
import { affectedRows } from './sql/affected-rows';
import { Dialect, SqlBuilder } from './sql/sql-builder';

type Row = Record<string, unknown>;

/** Idempotency keys on the service's database; the primary key makes the claim atomic. */
@Injectable()
export class IdempotencyTypeormStore implements IdempotencyStore {
  private readonly dialect: Dialect;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(IDEMPOTENCY_SETTINGS) private readonly settings: IdempotencySettings,
  ) {
    this.dialect = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }

  async begin(owner: CallOwner, key: string, requestHash: string, now: Date): Promise<IdempotencyBegin> {
    const at = now.toISOString();
    const lockedUntil = new Date(now.getTime() + this.settings.leaseMs).toISOString();
    const expiresAt = new Date(now.getTime() + this.settings.ttlMs).toISOString();
    // Claim the key: a new key, or one whose answer expired, or a pending one whose holder's lease ran out.
    const q = new SqlBuilder(this.dialect);
    const claimed = await affectedRows(
      this.dataSource,
      `INSERT INTO idempotency_keys (tenant_id, app_id, idempotency_key, request_hash, status, locked_until, expires_at)
       VALUES (${q.param(owner.tenantId)}, ${q.param(owner.appId)}, ${q.param(key)}, ${q.param(requestHash)}, 'pending', ${q.param(lockedUntil)}, ${q.param(expiresAt)})
       ON CONFLICT (tenant_id, app_id, idempotency_key) DO UPDATE SET
         request_hash = excluded.request_hash, status = 'pending', response_status = NULL, response_body = NULL,
         response_location = NULL, locked_until = excluded.locked_until, expires_at = excluded.expires_at
       WHERE idempotency_keys.expires_at <= ${q.param(at)}
          OR (idempotency_keys.status = 'pending' AND idempotency_keys.locked_until <= ${q.param(at)}
              AND idempotency_keys.request_hash = excluded.request_hash)`,
      q.params,
    );
    if (claimed === 1) return { outcome: 'proceed' };
    const r = new SqlBuilder(this.dialect);
    const rows: Row[] = await this.dataSource.query(
      `SELECT request_hash, status, response_status, response_body, response_location FROM idempotency_keys
       WHERE tenant_id = ${r.param(owner.tenantId)} AND app_id = ${r.param(owner.appId)} AND idempotency_key = ${r.param(key)}`,
      r.params,
    );
    const row = rows[0];
    if (!row) return this.begin(owner, key, requestHash, now); // removed meanwhile: claim again
    if (row.request_hash !== requestHash) return { outcome: 'mismatch' };
    if (row.status !== 'done') return { outcome: 'inProgress' };
    return {
      outcome: 'replay',
      response: {
        status: Number(row.response_status),
        body: row.response_body === null ? null : JSON.parse(String(row.response_body)),
        location: (row.response_location as string | null) ?? null,
      },
    };
  }

  async complete(owner: CallOwner, key: string, response: StoredResponse): Promise<void> {
    const q = new SqlBuilder(this.dialect);
    await affectedRows(
      this.dataSource,
      `UPDATE idempotency_keys SET status = 'done', response_status = ${q.param(response.status)},
         response_body = ${q.param(response.body === undefined ? null : JSON.stringify(response.body))},
         response_location = ${q.param(response.location)}
       WHERE tenant_id = ${q.param(owner.tenantId)} AND app_id = ${q.param(owner.appId)} AND idempotency_key = ${q.param(key)}`,
      q.params,
    );
  }

  async release(owner: CallOwner, key: string): Promise<void> {
    const q = new SqlBuilder(this.dialect);
    await affectedRows(
      this.dataSource,
      `DELETE FROM idempotency_keys WHERE tenant_id = ${q.param(owner.tenantId)} AND app_id = ${q.param(owner.appId)}
         AND idempotency_key = ${q.param(key)} AND status = 'pending'`,
      q.params,
    );
  }
}
