import type { SqlBuilder } from './schema/sql-builder';
import { rowsFor } from './schema/tables';
import type { ReceiptRow } from './schema/tables';

/**
 * Writes a command receipt: a new key, or one whose receipt expired by the
 * new one's creation. A live receipt of the key is left alone and the
 * statement writes no row: another run of the key committed first. The same
 * text on PostgreSQL and SQLite (both take `excluded.` in an upsert's WHERE).
 */
export function receiptUpsert(q: SqlBuilder, receipt: ReceiptRow): string {
  const ROWS = rowsFor(q.kind);
  const updates = ['fingerprint', 'result', 'created_at', 'expires_at'].map((c) => `${c} = excluded.${c}`);
  return `INSERT INTO command_receipts (${ROWS.receipts.columns.join(', ')}) VALUES ${q.row(ROWS.receipts.values(receipt))}
    ON CONFLICT (tenant_id, app_id, idempotency_key) DO UPDATE SET ${updates.join(', ')}
    WHERE command_receipts.expires_at <= excluded.created_at`;
}
