import type { StreamEnvelope } from './board-state';
import type { LiveStatus } from './live-stream';

/** A stream ticket as `POST /projects/{id}/stream-tickets` answers it. */
export interface StreamTicket {
  readonly ticket: string;
  /** When the API stops admitting it (ISO 8601). */
  readonly expiresAt: string;
}

/** The part of the browser's `WebSocket` the follower uses (a fake stands in for it in tests). */
export interface SocketLike {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  close(code?: number, reason?: string): void;
}

/** How long to wait before reconnect attempt `n` (0 = the first after a close). */
export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

/**
 * A close after an open (API Gateway's 2 h limit, its 10 min idle cut, a deploy) is retried
 * soon; each refused or failed attempt after it waits twice as long, up to 15 s.
 */
export const DEFAULT_BACKOFF: Backoff = { initialMs: 500, maxMs: 15_000, factor: 2 };

/** A ticket this close to its expiry is not used for a new connection: a fresh one is asked for. */
export const TICKET_MARGIN_MS = 30_000;

/** Where and as whom to follow a project over WebSocket. */
export interface WebSocketSource {
  /** The WebSocket stage (`wss://<id>.execute-api.<region>.amazonaws.com/<stage>`). */
  readonly liveUrl: string;
  readonly projectId: string;
  /** Issues a stream ticket (the API's `stream-tickets` route). */
  readonly ticket: () => Promise<StreamTicket>;
  /**
   * True for a ticket failure no retry can mend (the caller is no longer a member, or no
   * longer signed in): the follower reports `ended` instead of trying again.
   */
  readonly isFinal?: (failure: unknown) => boolean;
}

/** Seams for tests: the socket, the jitter and the clock. */
export interface WebSocketFollowOptions {
  readonly createSocket?: (url: string) => SocketLike;
  readonly backoff?: Backoff;
  /** In [0, 1): spreads reconnects so that a whole office does not come back at once. */
  readonly random?: () => number;
  readonly now?: () => number;
}

/** The URL `$connect` admits: the stage with `projectId` and `ticket` (no Last-Event-ID: no resume). */
export function connectUrl(liveUrl: string, projectId: string, ticket: string): string {
  const query = new URLSearchParams({ projectId, ticket });
  return `${liveUrl}?${query.toString()}`;
}

/** The wait before attempt `attempt` (0-based): exponential, capped, with jitter in [½, 1]. */
export function reconnectDelay(attempt: number, backoff: Backoff, random: number): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** attempt);
  return Math.round(ceiling * (0.5 + random / 2));
}

function isEnvelope(value: unknown): value is StreamEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as Partial<StreamEnvelope>;
  return (
    typeof event.id === 'string' &&
    typeof event.type === 'string' &&
    typeof event.aggregateId === 'string' &&
    typeof event.aggregateVersion === 'number'
  );
}

/**
 * Follows a project's events over the realtime stack's WebSocket API, with the shape of
 * `followProject`: `onEvent` for each event, `onStatus` as the connection comes and goes, and
 * a function that stops following.
 *
 * The server keeps no position for a client: each message is one event envelope as JSON, from
 * the moment the connection is open, and nothing missed is replayed. So every `live` reported
 * is a fresh connection after which the caller must read the current state again (events
 * newer than what it reads win by version). Reconnects come after every close the server did
 * not mean as final (the 2 h limit, the 10 min idle cut, `stream.end` of a slow consumer or
 * of a shutdown), with exponential backoff and jitter; a connection refused before it opened
 * asks for a fresh ticket first, as does a ticket about to expire. No keep-alive is sent: the
 * WebSocket API has no route for client messages (no `$default`), so an idle cut is simply
 * followed by a reconnect. `stream.end` with reason `revoked` (the member was removed) closes
 * for good with `ended`, as does a ticket refused with {@link WebSocketSource.isFinal}.
 */
export function followProjectOverWebSocket(
  source: WebSocketSource,
  onEvent: (event: StreamEnvelope) => void,
  onStatus: (status: LiveStatus) => void,
  options: WebSocketFollowOptions = {},
): () => void {
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url));
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  let ticket: StreamTicket | null = null;
  let socket: SocketLike | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let attempt = 0;
  let finished = false;

  const finish = (status: LiveStatus | null) => {
    finished = true;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const open = socket;
    socket = null;
    if (open !== null) {
      open.onopen = open.onmessage = open.onclose = open.onerror = null;
      open.close(1000);
    }
    if (status !== null) onStatus(status);
  };

  const retry = () => {
    if (finished) return;
    onStatus('offline');
    const delay = reconnectDelay(attempt, backoff, random());
    attempt += 1;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, delay);
  };

  const usable = (held: StreamTicket | null): held is StreamTicket =>
    held !== null && Date.parse(held.expiresAt) - now() > TICKET_MARGIN_MS;

  const connect = async (): Promise<void> => {
    if (!usable(ticket)) {
      try {
        ticket = await source.ticket();
      } catch (failure) {
        if (finished) return;
        if (source.isFinal?.(failure) === true) finish('ended');
        else retry();
        return;
      }
      if (finished) return;
    }
    let opened = false;
    const current = createSocket(connectUrl(source.liveUrl, source.projectId, ticket.ticket));
    socket = current;
    current.onopen = () => {
      opened = true;
      attempt = 0;
      onStatus('live');
    };
    current.onmessage = (message: MessageEvent) => {
      if (typeof message.data !== 'string') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.data);
      } catch {
        return;
      }
      const type = (parsed as { type?: unknown } | null)?.type;
      if (type === 'stream.end') {
        // Revoked: the server closes next, and a reconnect would be refused. Slow or shutdown:
        // its close follows, and a new connection (with a re-read) is the way on.
        if ((parsed as { reason?: unknown }).reason === 'revoked') finish('ended');
        return;
      }
      // Anything else without an envelope's shape (API Gateway's own error replies) is not ours.
      if (isEnvelope(parsed)) onEvent(parsed);
    };
    current.onclose = () => {
      if (socket !== current) return;
      socket = null;
      // Never opened: refused (a stale ticket, say) or unreachable; the next try asks anew.
      if (!opened) ticket = null;
      retry();
    };
  };

  onStatus('connecting');
  void connect();
  return () => {
    finish(null);
  };
}
