import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IDEMPOTENCY_SETTINGS } from '@calls/application';
import type { IdempotencyBegin, IdempotencySettings, IdempotencyStore, StoredResponse } from '@calls/application';
import type { CallOwner } from '@calls/domain';
import { affectedRows } from './schema/affected-rows';
import { SqlDialect } from './schema/dialect';
import { ROWS } from './schema/tables';

/** Idempotency keys on the service's database; the primary key makes the claim atomic. */
@Injectable()
export class IdempotencyTypeormStore implements IdempotencyStore {
  private readonly dialect: SqlDialect;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(IDEMPOTENCY_SETTINGS) private readonly settings: IdempotencySettings,
  ) {
    this.dialect = SqlDialect.of(dataSource);
  }

  async begin(owner: CallOwner, key: string, requestHash: string, now: Date): Promise<IdempotencyBegin> {
    const at = now.toISOString();
    const lockedUntil = new Date(now.getTime() + this.settings.leaseMs).toISOString();
    const expiresAt = new Date(now.getTime() + this.settings.ttlMs).toISOString();
    // Claim the key: a new key, or one whose answer expired, or a pending one whose holder's lease ran out.
    const q = this.dialect.sql();
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
    const r = this.dialect.sql();
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT request_hash, status, response_status, response_body, response_location FROM idempotency_keys
       WHERE tenant_id = ${r.param(owner.tenantId)} AND app_id = ${r.param(owner.appId)} AND idempotency_key = ${r.param(key)}`,
      r.params,
    );
    const row = rows[0] ? ROWS.idempotency.read(rows[0]) : undefined;
    if (!row) return this.begin(owner, key, requestHash, now); // removed meanwhile: claim again
    if (row.request_hash !== requestHash) return { outcome: 'mismatch' };
    if (row.status !== 'done') return { outcome: 'inProgress' };
    return {
      outcome: 'replay',
      response: {
        status: row.response_status ?? 0,
        body: row.response_body,
        location: row.response_location,
      },
    };
  }

  async complete(owner: CallOwner, key: string, response: StoredResponse): Promise<void> {
    const q = this.dialect.sql();
    await affectedRows(
      this.dataSource,
      `UPDATE idempotency_keys SET status = 'done', response_status = ${q.param(response.status)},
         response_body = ${q.param(this.dialect.codecs.json.encode(response.body ?? null))},
         response_location = ${q.param(response.location)}
       WHERE tenant_id = ${q.param(owner.tenantId)} AND app_id = ${q.param(owner.appId)} AND idempotency_key = ${q.param(key)}`,
      q.params,
    );
  }

  async release(owner: CallOwner, key: string): Promise<void> {
    const q = this.dialect.sql();
    await affectedRows(
      this.dataSource,
      `DELETE FROM idempotency_keys WHERE tenant_id = ${q.param(owner.tenantId)} AND app_id = ${q.param(owner.appId)}
         AND idempotency_key = ${q.param(key)} AND status = 'pending'`,
      q.params,
    );
  }
}
