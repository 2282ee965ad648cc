import type { ConnectionStore, WebSocketConnection } from '@taskflow/platform-live-updates';
import type { Database } from './database';

interface ConnectionRow {
  readonly connection_id: string;
  readonly project_id: string;
  readonly user_id: string;
  readonly connected_at: Date;
  readonly expires_at: Date;
}

const COLUMNS = 'connection_id, project_id, user_id, connected_at, expires_at';

/** Most rows one purge may delete: Aurora DSQL changes at most 3,000 rows per transaction. */
export const MAX_CONNECTION_PURGE = 3_000;

const fromRow = (row: ConnectionRow): WebSocketConnection => ({
  connectionId: row.connection_id,
  projectId: row.project_id,
  userId: row.user_id,
  connectedAt: row.connected_at,
  expiresAt: row.expires_at,
});

/**
 * Rows a regional view reads as its own: its region's, and those written without a region
 * (before migration 0035, or by the region-agnostic store). `$n` is the view's region; null
 * (the region-agnostic store) matches every row.
 */
const OWN_OR_UNKNOWN = (n: number): string =>
  `($${String(n)}::text IS NULL OR region = $${String(n)} OR region IS NULL)`;

/**
 * The WebSocket connection registry in PostgreSQL (`ws_connections`), shared by the connect,
 * disconnect and broadcast functions, and by every region of a two-region deployment. Each
 * statement stands alone (no transaction needed).
 *
 * A region's broadcaster can reach only the connections its own region's WebSocket API holds:
 * any other answers 410 Gone there. So the connect and broadcast functions work through
 * {@link inRegion}, a view that records its region on each connection it adds, and lists,
 * prunes and forgets only that region's connections. The store built by `openPersistence` has
 * no region: it sees every row, which is right for a single region and for what is the same
 * in every region (forgetting a connection by id on `$disconnect`, purging expired rows).
 *
 * Rows without a region (written before the column existed) may belong to either region: a
 * regional view lists them, so their clients still get events, but never deletes one because
 * it answered Gone, which from the other region's API is no evidence that it closed. A removed
 * member's such rows are forgotten by whichever region handles the removal first; if the
 * connection was the other region's, it stays open without further events until it expires.
 * Both cases last at most two hours (`WEBSOCKET_MAX_CONNECTION_MS`) after the upgrade.
 */
export class PgConnectionStore implements ConnectionStore {
  /**
   * @param region The region this view belongs to; null (the default) for the
   *   region-agnostic store, which records no region and sees every row.
   */
  constructor(
    private readonly db: Database,
    readonly region: string | null = null,
  ) {}

  /**
   * The registry as one region sees it: connections added through it record `region`;
   * `forProject`, `removeMember` and `remove` leave other regions' connections alone.
   *
   * @throws RangeError when `region` is blank.
   */
  inRegion(region: string): PgConnectionStore {
    if (region.trim() === '') throw new RangeError('region must not be empty');
    return new PgConnectionStore(this.db, region);
  }

  async add(connection: WebSocketConnection): Promise<void> {
    await this.db.query({
      name: 'tf_ws_add',
      text: `INSERT INTO ws_connections (${COLUMNS}, region) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (connection_id) DO UPDATE SET project_id = EXCLUDED.project_id,
               user_id = EXCLUDED.user_id, connected_at = EXCLUDED.connected_at,
               expires_at = EXCLUDED.expires_at, region = EXCLUDED.region`,
      values: [
        connection.connectionId,
        connection.projectId,
        connection.userId,
        connection.connectedAt.toISOString(),
        connection.expiresAt.toISOString(),
        this.region,
      ],
    });
  }

  /**
   * Forgets a connection. A regional view forgets only its own region's (not one without a
   * region, see the class); the region-agnostic store forgets any.
   */
  async remove(connectionId: string): Promise<boolean> {
    const { rowCount } = await this.db.query({
      name: 'tf_ws_remove',
      text: `DELETE FROM ws_connections
             WHERE connection_id = $1 AND ($2::text IS NULL OR region = $2)`,
      values: [connectionId, this.region],
    });
    return rowCount > 0;
  }

  async forProject(projectId: string, now: Date): Promise<WebSocketConnection[]> {
    const { rows } = await this.db.query<ConnectionRow>({
      name: 'tf_ws_for_project',
      text: `SELECT ${COLUMNS} FROM ws_connections
             WHERE project_id = $1 AND expires_at > $2 AND ${OWN_OR_UNKNOWN(3)}
             ORDER BY connected_at, connection_id`,
      values: [projectId, now.toISOString(), this.region],
    });
    return rows.map(fromRow);
  }

  async removeMember(projectId: string, userId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ connection_id: string }>({
      name: 'tf_ws_remove_member',
      text: `DELETE FROM ws_connections
             WHERE project_id = $1 AND user_id = $2 AND ${OWN_OR_UNKNOWN(3)}
             RETURNING connection_id`,
      values: [projectId, userId, this.region],
    });
    return rows.map((row) => row.connection_id).sort();
  }

  /**
   * Purges expired connections of every region: an expired connection is closed wherever it
   * was opened, so any region's `$disconnect` may tidy up after the other.
   */
  async purgeExpired(now: Date, limit: number): Promise<number> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CONNECTION_PURGE) {
      throw new RangeError(
        `limit must be an integer within 1..${MAX_CONNECTION_PURGE}, got ${String(limit)}`,
      );
    }
    const { rowCount } = await this.db.query({
      name: 'tf_ws_purge',
      text: `DELETE FROM ws_connections WHERE connection_id IN (
               SELECT connection_id FROM ws_connections WHERE expires_at <= $1
               ORDER BY expires_at LIMIT $2)`,
      values: [now.toISOString(), limit],
    });
    return rowCount;
  }
}
