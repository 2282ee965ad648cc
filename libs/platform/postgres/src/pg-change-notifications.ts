import type { ChangeNotifications } from '@taskflow/platform-live-updates';
import type { Client } from 'pg';

/** The channel commands notify with the id of each project they wrote events for. */
export const EVENTS_CHANNEL = 'taskflow_events';

/**
 * PostgreSQL LISTEN on one dedicated connection, shared by every subscriber in the process.
 * When the connection drops it reconnects with backoff and then tells subscribers that anything
 * may have changed (notifications sent meanwhile are lost).
 */
export class PgChangeNotifications implements ChangeNotifications {
  private readonly listeners = new Set<(projectId: string | null) => void>();
  private client: Client | null = null;
  private connecting: Promise<void> | null = null;
  private closed = false;
  private retryMs = 100;

  constructor(
    private readonly connect: () => Promise<Client>,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  subscribe(listener: (projectId: string | null) => void): () => void {
    this.listeners.add(listener);
    if (this.client === null && this.connecting === null) this.connecting = this.open(false);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Resolves once the LISTEN connection is up (for tests and orderly start-up). */
  async ready(): Promise<void> {
    await this.connecting;
  }

  /** Closes the connection for good. */
  async close(): Promise<void> {
    this.closed = true;
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async open(reconnect: boolean): Promise<void> {
    try {
      const client = await this.connect();
      client.on('notification', (message) => {
        if (message.channel === EVENTS_CHANNEL && message.payload) this.emit(message.payload);
      });
      client.on('error', (error) => {
        this.onError(error);
        this.lost(client);
      });
      client.on('end', () => this.lost(client));
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      if (this.closed) {
        await client.end();
        return;
      }
      this.client = client;
      this.retryMs = 100;
      if (reconnect) this.emit(null);
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

  private emit(projectId: string | null): void {
    for (const listener of this.listeners) listener(projectId);
  }
}
