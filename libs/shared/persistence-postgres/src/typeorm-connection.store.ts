import type { ConnectionStore, WebSocketConnection } from '@taskflow/live-updates';
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
 * The WebSocket connection registry in PostgreSQL (`ws_connections`), shared by the connect,
 * disconnect and broadcast functions. Each statement stands alone (no transaction needed).
 */
export class TypeormConnectionStore implements ConnectionStore {
  constructor(private readonly db: Database) {}

  async add(connection: WebSocketConnection): Promise<void> {
    await this.db.query({
      name: 'tf_ws_add',
      text: `INSERT INTO ws_connections (${COLUMNS}) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (connection_id) DO UPDATE SET project_id = EXCLUDED.project_id,
               user_id = EXCLUDED.user_id, connected_at = EXCLUDED.connected_at,
               expires_at = EXCLUDED.expires_at`,
      values: [
        connection.connectionId,
        connection.projectId,
        connection.userId,
        connection.connectedAt.toISOString(),
        connection.expiresAt.toISOString(),
      ],
    });
  }

  async remove(connectionId: string): Promise<boolean> {
    const { rowCount } = await this.db.query({
      name: 'tf_ws_remove',
      text: 'DELETE FROM ws_connections WHERE connection_id = $1',
      values: [connectionId],
    });
    return rowCount > 0;
  }

  async forProject(projectId: string, now: Date): Promise<WebSocketConnection[]> {
    const { rows } = await this.db.query<ConnectionRow>({
      name: 'tf_ws_for_project',
      text: `SELECT ${COLUMNS} FROM ws_connections
             WHERE project_id = $1 AND expires_at > $2 ORDER BY connected_at, connection_id`,
      values: [projectId, now.toISOString()],
    });
    return rows.map(fromRow);
  }

  async removeMember(projectId: string, userId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ connection_id: string }>({
      name: 'tf_ws_remove_member',
      text: `DELETE FROM ws_connections WHERE project_id = $1 AND user_id = $2
             RETURNING connection_id`,
      values: [projectId, userId],
    });
    return rows.map((row) => row.connection_id).sort();
  }

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
