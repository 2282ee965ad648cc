import type { ConnectionStore } from '@taskflow/platform-live-updates';
import type { Clock } from '@taskflow/platform-kernel';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { type WebSocketLifecycleEvent, lifecycleOf } from './websocket-events';

/** Expired connections one disconnect purges unless configured otherwise. */
export const DEFAULT_PURGE_BATCH = 100;

/** What {@link handleDisconnect} needs; build it once per Lambda instance. */
export interface DisconnectDeps {
  readonly connections: ConnectionStore;
  readonly clock: Clock;
  /** Expired connections purged per disconnect (1..3000); {@link DEFAULT_PURGE_BATCH} unless given. */
  readonly purgeBatch?: number;
}

/**
 * The `$disconnect` route: forgets the connection, then purges a batch of expired ones. API
 * Gateway only tries to call `$disconnect`, so some rows outlive their connection; every
 * connection lasts at most two hours, and purging a few at each disconnect keeps the table to
 * about the connections open, without a scheduled job.
 *
 * @throws InvalidWebSocketEventError when the event is not a `$disconnect` (a wiring mistake).
 * @throws whatever the store throws (database down); API Gateway does not retry a disconnect,
 *   and the row is purged once expired.
 */
export async function handleDisconnect(
  event: WebSocketLifecycleEvent,
  deps: DisconnectDeps,
): Promise<APIGatewayProxyResult> {
  const { connectionId } = lifecycleOf(event, 'DISCONNECT');
  await deps.connections.remove(connectionId);
  await deps.connections.purgeExpired(deps.clock.now(), deps.purgeBatch ?? DEFAULT_PURGE_BATCH);
  return { statusCode: 200, headers: {}, body: '' };
}
