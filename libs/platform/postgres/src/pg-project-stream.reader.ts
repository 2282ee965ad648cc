import { parseEnvelopeJson } from '@taskflow/platform-events';
import type { ProjectStreamReader, StreamCursor, StreamedEvent } from '@taskflow/platform-live-updates';
import type { Database } from './database';

// Transactions older than the oldest one still writing have all finished: rows they wrote are
// final, and no future commit can sort before them.
//
// ORDER BY names the table's columns: the select list's `tx::text AS tx` would otherwise sort
// as text, and '1000' < '992' loses events whenever transaction ids gain a digit.
const HORIZON = 'pg_snapshot_xmin(pg_current_snapshot())::text::bigint';

/**
 * A project's event stream read from the outbox in (writing transaction, event id) order,
 * delivering only rows below the horizon of running writers. PostgreSQL only: Aurora DSQL has
 * no transaction ids (there, live updates go through EventBridge and WebSockets).
 */
export class PgProjectStreamReader implements ProjectStreamReader {
  /** @param db - runs the reads: the pool, or connections reserved for streams. */
  constructor(private readonly db: Pick<Database, 'query'>) {}

  async head(projectId: string): Promise<StreamCursor | null> {
    const { rows } = await this.db.query<{ tx: string; id: string }>({
      name: 'tf_stream_head',
      text: `SELECT tx::text AS tx, id FROM outbox WHERE project_id = $1 AND tx IS NOT NULL AND tx < ${HORIZON}
             ORDER BY outbox.tx DESC, outbox.id DESC LIMIT 1`,
      values: [projectId],
    });
    const row = rows[0];
    return row ? { tx: BigInt(row.tx), id: row.id } : null;
  }

  async after(
    projectId: string,
    cursor: StreamCursor | null,
    limit: number,
    options: { readonly evenIfHeldBack?: boolean } = {},
  ): Promise<{ events: StreamedEvent[]; heldBack: boolean }> {
    const { rows } = await this.db.query<{
      tx: string;
      id: string;
      payload: string;
      stable: boolean;
    }>({
      name: 'tf_stream_after',
      text: `SELECT tx::text AS tx, id, payload, tx < ${HORIZON} AS stable FROM outbox
             WHERE project_id = $1 AND tx IS NOT NULL AND ($2::bigint IS NULL OR (tx, id) > ($2::bigint, $3::uuid))
             ORDER BY outbox.tx, outbox.id LIMIT $4`,
      values: [projectId, cursor?.tx.toString() ?? null, cursor?.id ?? null, limit + 1],
    });
    const events: StreamedEvent[] = [];
    for (const row of rows) {
      if ((!row.stable && options.evenIfHeldBack !== true) || events.length === limit)
        return { events, heldBack: true };
      events.push({
        cursor: { tx: BigInt(row.tx), id: row.id },
        envelope: parseEnvelopeJson(row.payload),
      });
    }
    return { events, heldBack: false };
  }
}
