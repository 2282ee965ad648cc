import type { ChangeNotifications } from '@taskflow/platform-live-updates';
import type { Client } from 'pg';

/** The channel a process wakes other processes' streams on, with a project id as payload. */
export const EVENTS_CHANNEL = 'taskflow_events';

/** How a process tells the others that it committed events. */
export interface ChangeNotificationOptions {
  /**
   * The shortest time between two wake-up statements this process sends: the ids of every
   * project written meanwhile go together in the next one.
   */
  readonly wakeIntervalMs: number;
}

const DEFAULT_OPTIONS: ChangeNotificationOptions = { wakeIntervalMs: 5 };

/**
 * Live-stream wake-ups over PostgreSQL LISTEN/NOTIFY, on one dedicated connection shared by
 * every subscriber in the process.
 *
 * Write transactions notify nobody: a NOTIFY takes PostgreSQL's global notify lock at commit,
 * which would serialise every writer. Instead the process that committed calls {@link wake}: its
 * own subscribers hear at once, and the other processes through one `pg_notify` statement, on
 * this connection and outside any write, at most every `wakeIntervalMs` for all the projects
 * written meanwhile. Its own notifications coming back are ignored. A wake-up that is lost (this
 * connection down, the statement failed) delays other processes' streams until their safety
 * poll, never loses an event: the streams read the durable log.
 *
 * When the connection drops it reconnects with backoff and then tells subscribers that anything
 * may have changed (notifications sent meanwhile are lost); wake-ups queued meanwhile go out
 * once it is back.
 */
export class PgChangeNotifications implements ChangeNotifications {
  private readonly listeners = new Set<(projectId: string | null) => void>();
  private client: Client | null = null;
  private connecting: Promise<void> | null = null;
  private closed = false;
  private retryMs = 100;
  private backendPid: number | null = null;
  private readonly options: ChangeNotificationOptions;
  /** Projects written since the last wake-up statement went out. */
  private readonly outgoing = new Set<string>();
  private sendTimer: NodeJS.Timeout | null = null;
  private sending: Promise<void> | null = null;
  private lastSentAt = -Infinity;
  /** True once the first connection was asked for (later ones are reconnects). */
  private opened = false;

  constructor(
    private readonly connect: () => Promise<Client>,
    private readonly onError: (error: unknown) => void = () => undefined,
    options: Partial<ChangeNotificationOptions> = {},
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
  }

  subscribe(listener: (projectId: string | null) => void): () => void {
    this.listeners.add(listener);
    if (!this.opened) this.start();
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Resolves once the LISTEN connection is up (for tests and orderly start-up). */
  async ready(): Promise<void> {
    await this.connecting;
  }

  /**
   * Tells every subscriber that `projectIds` have new committed events: this process's at once,
   * other processes' with the next wake-up statement.
   */
  wake(projectIds: readonly string[]): void {
    if (projectIds.length === 0 || this.closed) return;
    for (const projectId of new Set(projectIds)) {
      this.emit(projectId);
      this.outgoing.add(projectId);
    }
    // The first wake-up of a process that follows no stream opens the connection; a lost one is
    // being reopened by retry(), which sends what is queued.
    if (!this.opened) this.start();
    else this.scheduleSend();
  }

  /** Closes the connection for good, after sending the wake-ups still queued. */
  async close(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    await this.sending;
    if (this.sendTimer !== null) clearTimeout(this.sendTimer);
    this.sendTimer = null;
    this.closed = true;
    if (this.outgoing.size > 0) await this.send();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private start(): void {
    this.opened = true;
    this.connecting = this.open(false);
  }

  private async open(reconnect: boolean): Promise<void> {
    try {
      const client = await this.connect();
      client.on('notification', (message) => {
        // This process's own wake-ups: its subscribers heard them when they were queued.
        if (message.processId === this.backendPid) return;
        if (message.channel === EVENTS_CHANNEL && message.payload) this.emit(message.payload);
      });
      client.on('error', (error) => {
        this.onError(error);
        this.lost(client);
      });
      client.on('end', () => this.lost(client));
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      if (this.closed) {
        await client.end();
        return;
      }
      this.backendPid = rows[0]?.pid ?? null;
      this.client = client;
      this.retryMs = 100;
      if (reconnect) this.emit(null);
      if (this.outgoing.size > 0) this.scheduleSend();
    } catch (error) {
      this.onError(error);
      this.retry();
    } finally {
      this.connecting = null;
    }
  }

  private lost(client: Client): void {
    if (this.client !== client) return;
    this.client = null;
    this.retry();
  }

  private retry(): void {
    if (this.closed || this.connecting !== null) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 5_000);
    const timer = setTimeout(() => {
      if (!this.closed && this.client === null) this.connecting = this.open(true);
    }, delay);
    timer.unref();
  }

  /** Sends the queued wake-ups now, or once `wakeIntervalMs` has passed since the last send. */
  private scheduleSend(): void {
    if (this.closed || this.sendTimer !== null || this.sending !== null || this.client === null)
      return;
    const wait = Math.max(0, this.lastSentAt + this.options.wakeIntervalMs - performance.now());
    // Even without a wait, the send goes out on the next turn of the event loop: the commits
    // announced in this turn (a batch, concurrent requests) share it.
    this.sendTimer = setTimeout(() => {
      this.sendTimer = null;
      this.sending = this.send().finally(() => {
        this.sending = null;
        if (this.outgoing.size > 0) this.scheduleSend();
      });
    }, wait);
    this.sendTimer.unref();
  }

  private async send(): Promise<void> {
    const client = this.client;
    if (client === null || this.outgoing.size === 0) return;
    const projectIds = [...this.outgoing];
    this.outgoing.clear();
    this.lastSentAt = performance.now();
    try {
      await client.query({
        text: 'SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p',
        values: [EVENTS_CHANNEL, projectIds],
      });
    } catch (error) {
      // Other processes read these projects at their next safety poll.
      this.onError(error);
    }
  }

  private emit(projectId: string | null): void {
    for (const listener of this.listeners) listener(projectId);
  }
}
