import type { IdempotencyRecord, IdempotencyStore, StoredResponse } from '@taskflow/platform-ports';
import type { Database } from './database';

/** Idempotency keys in PostgreSQL, one row per (actor, key); expired rows are reusable. */
export class PgIdempotencyStore implements IdempotencyStore {
  constructor(private readonly db: Database) {}

  async find(actorId: string, key: string, notBefore: Date): Promise<IdempotencyRecord | null> {
    const { rows } = await this.db.query<{
      request_hash: string;
      response: string;
      created_at: Date;
    }>({
      name: 'tf_idempotency_find',
      text: 'SELECT request_hash, response, created_at FROM idempotency_keys WHERE actor_id = $1 AND key = $2 AND created_at >= $3',
      values: [actorId, key, notBefore.toISOString()],
    });
    const row = rows[0];
    if (!row) return null;
    return {
      actorId,
      key,
      requestHash: row.request_hash,
      response: JSON.parse(row.response) as StoredResponse,
      createdAt: row.created_at.toISOString(),
    };
  }

  async put(record: IdempotencyRecord, notBefore: Date): Promise<boolean> {
    // A concurrent first request holding the same key makes this wait for its commit, then find
    // the live row and change nothing; an expired row is taken over.
    const { rowCount } = await this.db.query({
      name: 'tf_idempotency_put',
      text: `INSERT INTO idempotency_keys (actor_id, key, request_hash, response, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (actor_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, response = EXCLUDED.response,
               created_at = EXCLUDED.created_at
             WHERE idempotency_keys.created_at < $6`,
      values: [
        record.actorId,
        record.key,
        record.requestHash,
        JSON.stringify(record.response),
        record.createdAt,
        notBefore.toISOString(),
      ],
    });
    return rowCount === 1;
  }

  /** Deletes records older than `notBefore`; returns how many. */
  async purgeExpired(notBefore: Date): Promise<number> {
    const { rowCount } = await this.db.query({
      name: 'tf_idempotency_purge',
      text: 'DELETE FROM idempotency_keys WHERE created_at < $1',
      values: [notBefore.toISOString()],
    });
    return rowCount;
  }
}
