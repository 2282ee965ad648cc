import type { FakeWebSocketConnection } from '../fakes/in-memory-websocket';
import { SAMPLE_IDS } from './sample-ids';

/** Which connection a spec registers, and how long before `now` it opened. */
export interface OpenedConnectionOptions {
  readonly connectionId: string;
  readonly userId: string;
  /** Default: the sample project. */
  readonly projectId?: string;
  /** When the spec registers it. */
  readonly now: Date;
  /** How long it has been open at `now`; default: one hour. */
  readonly ageMs?: number;
  /** How long a connection may stay open (`WEBSOCKET_MAX_CONNECTION_MS` of @taskflow/live-updates). */
  readonly maxAgeMs: number;
}

/** A WebSocket connection as its $connect registered it: `ageMs` before `now`, expiring at its maximum age. */
export function openedConnection(options: OpenedConnectionOptions): FakeWebSocketConnection {
  const connectedAt = new Date(options.now.getTime() - (options.ageMs ?? 3_600_000));
  return {
    connectionId: options.connectionId,
    projectId: options.projectId ?? SAMPLE_IDS.PROJECT_ID,
    userId: options.userId,
    connectedAt,
    expiresAt: new Date(connectedAt.getTime() + options.maxAgeMs),
  };
}
