import { type EventEnvelope } from '@taskflow/platform-events';
import type { Clock } from '@taskflow/platform-kernel';
import type { StreamEndReason } from './project-event-hub';
import { revokedMemberOf } from './ports';

/** Longest an API Gateway WebSocket connection lives: it is certainly closed after this. */
export const WEBSOCKET_MAX_CONNECTION_MS = 2 * 60 * 60 * 1000;

/** One open WebSocket connection following one project for one member. */
export interface WebSocketConnection {
  /** The transport's id of the connection (API Gateway's `connectionId`). */
  readonly connectionId: string;
  readonly projectId: string;
  readonly userId: string;
  /** When the transport accepted the connection. */
  readonly connectedAt: Date;
  /** When the connection is certainly closed, whether or not its disconnect was seen. */
  readonly expiresAt: Date;
}

/**
 * The registry of open WebSocket connections, shared by every process of the transport (connect,
 * disconnect and broadcast run in different Lambdas).
 *
 * When several regions share one registry, each region's transport holds only its own
 * connections, and a broadcaster must neither send to nor forget another region's: it works
 * through a store scoped to its region, whose `forProject`, `remove` and `removeMember` see only
 * that region's connections (the PostgreSQL adapter's `inRegion`).
 */
export interface ConnectionStore {
  /** Registers a connection; registering the same id again replaces it. */
  add(connection: WebSocketConnection): Promise<void>;
  /** Forgets a connection. True when it was registered. */
  remove(connectionId: string): Promise<boolean>;
  /** The connections following `projectId` that have not expired at `now`. */
  forProject(projectId: string, now: Date): Promise<WebSocketConnection[]>;
  /** Forgets every connection of `userId` to `projectId`; answers the ids it forgot. */
  removeMember(projectId: string, userId: string): Promise<string[]>;
  /** Forgets up to `limit` connections expired at `now`, oldest first; answers how many. */
  purgeExpired(now: Date, limit: number): Promise<number>;
}

/** What became of a message sent to a connection. */
export type PostOutcome = 'sent' | 'gone';

/** Sends to WebSocket connections the transport holds (API Gateway's management API). */
export interface ConnectionSender {
  /**
   * Sends one text message. Resolves `'gone'` when the connection no longer exists (the client
   * left, or the connection is not fully open yet); rejects on any other failure.
   */
  post(connectionId: string, data: string): Promise<PostOutcome>;
  /** Closes a connection from the server's side; a connection already gone is not an error. */
  close(connectionId: string): Promise<void>;
}

/** The message announcing that the server is about to close a stream, and why. */
export interface StreamEndMessage {
  readonly type: 'stream.end';
  readonly reason: StreamEndReason;
}

/**
 * The text of the WebSocket message carrying a domain event: the envelope itself as JSON, so
 * `type` names the event (`task.created`...) and `id` identifies it for deduplication.
 */
export function eventMessage(envelope: EventEnvelope): string {
  return JSON.stringify(envelope);
}

/** The text of the message sent just before the server closes a stream. */
export function streamEndMessage(reason: StreamEndReason): string {
  const message: StreamEndMessage = { type: 'stream.end', reason };
  return JSON.stringify(message);
}

/** Tuning of a {@link WebSocketBroadcaster}. */
export interface WebSocketBroadcasterOptions {
  /** Most sends (or closes) in flight at once (≥ 1). */
  readonly concurrency: number;
  /**
   * A connection younger than this that answers `'gone'` is taken as still opening, not as
   * closed, and kept: API Gateway refuses messages to a connection until its `$connect` handler
   * has returned, and the connection is registered before that.
   */
  readonly connectingGraceMs: number;
}

const DEFAULTS: WebSocketBroadcasterOptions = { concurrency: 16, connectingGraceMs: 30_000 };

/** What one broadcast did, for metrics. Every connection counts in exactly one of the buckets. */
export interface BroadcastOutcome {
  /** Connections of the project when the broadcast started. */
  readonly connections: number;
  readonly sent: number;
  /** Connections found closed and forgotten. */
  readonly gone: number;
  /** Connections still opening (see `connectingGraceMs`): not sent to, kept. */
  readonly connecting: number;
  /** Sends that failed otherwise (throttled, payload refused, transport down...). */
  readonly failed: number;
  /** Connections of a removed member closed after the event reached them. */
  readonly closed: number;
  /** Closes that failed; the connection is forgotten all the same and gets nothing more. */
  readonly closeFailed: number;
}

/** One failure the broadcaster absorbed so that the other connections still get the event. */
export interface BroadcastFailure {
  readonly connectionId: string;
  readonly stage: 'post' | 'remove' | 'close';
  readonly error: unknown;
}

type Delivery = 'sent' | 'gone' | 'connecting' | 'failed';

/**
 * Sends each Taskflow event to every WebSocket connection following its project, whatever the
 * transport. Sends run with bounded concurrency; a connection that is gone is forgotten; one
 * connection's failure never stops the others. A `project.member_removed` event reaches the
 * removed member's connections too, followed by a `stream.end` message, and then those
 * connections are closed and forgotten, as the SSE stream of a removed member ends.
 *
 * Delivery is at least once (the bus may redeliver an event): clients deduplicate on `id`.
 */
export class WebSocketBroadcaster {
  private readonly options: WebSocketBroadcasterOptions;

  constructor(
    private readonly store: ConnectionStore,
    private readonly sender: ConnectionSender,
    private readonly clock: Clock,
    options: Partial<WebSocketBroadcasterOptions> = {},
    private readonly onFailure: (failure: BroadcastFailure) => void = () => undefined,
  ) {
    this.options = { ...DEFAULTS, ...options };
    if (!Number.isInteger(this.options.concurrency) || this.options.concurrency < 1) {
      throw new RangeError(
        `concurrency must be an integer ≥ 1, got ${String(this.options.concurrency)}`,
      );
    }
    if (!(this.options.connectingGraceMs >= 0)) {
      throw new RangeError(
        `connectingGraceMs must be ≥ 0, got ${String(this.options.connectingGraceMs)}`,
      );
    }
  }

  /**
   * Sends `envelope` to its project's connections. Rejects only when the connections cannot be
   * read (or a removed member's cannot be forgotten): then nothing is known to be done and the
   * event should be delivered again.
   */
  async broadcast(envelope: EventEnvelope): Promise<BroadcastOutcome> {
    const { projectId } = envelope;
    if (projectId === null) return outcomeOf(0, [], 0, 0);
    const now = this.clock.now();
    const connections = await this.store.forProject(projectId, now);
    const revoked = revokedMemberOf(envelope);
    const message = eventMessage(envelope);
    const deliveries = await pool(connections, this.options.concurrency, (connection) =>
      this.deliver(connection, message, connection.userId === revoked, now),
    );
    if (revoked === null) return outcomeOf(connections.length, deliveries, 0, 0);

    // Forgotten first, so that no later broadcast sends to them; connections the member opened
    // since the read above are forgotten and closed too.
    const forgotten = await this.store.removeMember(projectId, revoked);
    const toClose = new Set(forgotten);
    for (const connection of connections)
      if (connection.userId === revoked) toClose.add(connection.connectionId);
    const closes = await pool([...toClose], this.options.concurrency, async (connectionId) => {
      try {
        await this.sender.close(connectionId);
        return true;
      } catch (error) {
        this.report({ connectionId, stage: 'close', error });
        return false;
      }
    });
    const closed = closes.filter(Boolean).length;
    return outcomeOf(connections.length, deliveries, closed, closes.length - closed);
  }

  private report(failure: BroadcastFailure): void {
    try {
      this.onFailure(failure);
    } catch {
      // A failing observer (a logger) must not stop the broadcast to the other connections.
    }
  }

  private async deliver(
    connection: WebSocketConnection,
    message: string,
    revoked: boolean,
    now: Date,
  ): Promise<Delivery> {
    const { connectionId } = connection;
    let outcome: Delivery;
    try {
      outcome = (await this.sender.post(connectionId, message)) === 'sent' ? 'sent' : 'gone';
    } catch (error) {
      this.report({ connectionId, stage: 'post', error });
      return 'failed';
    }
    if (outcome === 'gone') {
      if (now.getTime() - connection.connectedAt.getTime() < this.options.connectingGraceMs)
        return 'connecting';
      if (revoked) return 'gone'; // forgotten with the member's other connections
      try {
        await this.store.remove(connectionId);
        return 'gone';
      } catch (error) {
        this.report({ connectionId, stage: 'remove', error });
        return 'failed';
      }
    }
    if (revoked) {
      // Told why before the close; losing this message must not keep the connection open.
      try {
        await this.sender.post(connectionId, streamEndMessage('revoked'));
      } catch (error) {
        this.report({ connectionId, stage: 'post', error });
      }
    }
    return 'sent';
  }
}

function outcomeOf(
  connections: number,
  deliveries: readonly Delivery[],
  closed: number,
  closeFailed: number,
): BroadcastOutcome {
  const count = (kind: Delivery): number => deliveries.filter((d) => d === kind).length;
  return {
    connections,
    sent: count('sent'),
    gone: count('gone'),
    connecting: count('connecting'),
    failed: count('failed'),
    closed,
    closeFailed,
  };
}

/** Runs `work` on every item, at most `limit` at a time; results in item order. */
async function pool<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
