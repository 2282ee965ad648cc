// Structurally the ports of @taskflow/live-updates, declared here rather than imported: that
// library's own tests use these fakes, and an import either way would be a dependency cycle.
// Its tests assign the fakes to the real port types, so any drift fails to compile there.

/** One open WebSocket connection (`WebSocketConnection` of @taskflow/live-updates). */
export interface FakeWebSocketConnection {
  readonly connectionId: string;
  readonly projectId: string;
  readonly userId: string;
  readonly connectedAt: Date;
  readonly expiresAt: Date;
}

/** The methods of a connection store, to make one of them fail. */
export type ConnectionStoreMethod =
  'add' | 'remove' | 'forProject' | 'removeMember' | 'purgeExpired';

/**
 * A `ConnectionStore` (@taskflow/live-updates) in a Map, with the PostgreSQL adapter's semantics (expired
 * connections are not listed; `purgeExpired` takes the oldest first). Any method can be made to
 * fail, to test what callers do when the database is down.
 */
export class InMemoryConnectionStore {
  private readonly rows = new Map<string, FakeWebSocketConnection>();
  private readonly failures = new Map<ConnectionStoreMethod, Error>();

  /** Every registered connection, expired ones included, in registration order. */
  get all(): readonly FakeWebSocketConnection[] {
    return [...this.rows.values()];
  }

  /** Makes every later call of `method` reject with `error` (null: work again). */
  failOn(method: ConnectionStoreMethod, error: Error | null): this {
    if (error === null) this.failures.delete(method);
    else this.failures.set(method, error);
    return this;
  }

  add(connection: FakeWebSocketConnection): Promise<void> {
    return this.attempt('add', () => {
      this.rows.delete(connection.connectionId);
      this.rows.set(connection.connectionId, { ...connection });
    });
  }

  remove(connectionId: string): Promise<boolean> {
    return this.attempt('remove', () => this.rows.delete(connectionId));
  }

  forProject(projectId: string, now: Date): Promise<FakeWebSocketConnection[]> {
    return this.attempt('forProject', () =>
      [...this.rows.values()]
        .filter((c) => c.projectId === projectId && c.expiresAt.getTime() > now.getTime())
        .map((c) => ({ ...c })),
    );
  }

  removeMember(projectId: string, userId: string): Promise<string[]> {
    return this.attempt('removeMember', () => {
      const ids = [...this.rows.values()]
        .filter((c) => c.projectId === projectId && c.userId === userId)
        .map((c) => c.connectionId);
      for (const id of ids) this.rows.delete(id);
      return ids;
    });
  }

  purgeExpired(now: Date, limit: number): Promise<number> {
    return this.attempt('purgeExpired', () => {
      const expired = [...this.rows.values()]
        .filter((c) => c.expiresAt.getTime() <= now.getTime())
        .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime())
        .slice(0, limit);
      for (const c of expired) this.rows.delete(c.connectionId);
      return expired.length;
    });
  }

  private attempt<T>(method: ConnectionStoreMethod, work: () => T): Promise<T> {
    const failure = this.failures.get(method);
    if (failure !== undefined) return Promise.reject(failure);
    return Promise.resolve(work());
  }
}

/** One call a {@link RecordingConnectionSender} received, in call order. */
export type SenderCall =
  | { readonly op: 'post'; readonly connectionId: string; readonly data: string }
  | { readonly op: 'close'; readonly connectionId: string };

/** Options of {@link RecordingConnectionSender}. */
export interface RecordingConnectionSenderOptions {
  /** How long each call takes; 0 (next tick) unless given. */
  readonly latencyMs?: number;
  /** Makes a post reject with the error returned (null: deliver normally). */
  readonly failPost?: (connectionId: string, data: string) => Error | null;
  /** Makes a close reject with the error returned (null: close normally). */
  readonly failClose?: (connectionId: string) => Error | null;
}

/**
 * A `ConnectionSender` (@taskflow/live-updates) holding connections in memory: a post to an open connection is
 * recorded, one to an unknown or closed connection answers `'gone'`. It records every call in
 * order and the most calls ever in flight at once, to test concurrency bounds.
 */
export class RecordingConnectionSender {
  private readonly open = new Set<string>();
  private readonly inbox = new Map<string, string[]>();
  private readonly log: SenderCall[] = [];
  private inFlight = 0;
  private peak = 0;

  constructor(private readonly options: RecordingConnectionSenderOptions = {}) {}

  /** Opens connections (as a client connecting would). */
  connect(...connectionIds: string[]): this {
    for (const id of connectionIds) this.open.add(id);
    return this;
  }

  /** Ends a connection from the client's side: later posts answer `'gone'`. */
  disconnect(connectionId: string): this {
    this.open.delete(connectionId);
    return this;
  }

  isOpen(connectionId: string): boolean {
    return this.open.has(connectionId);
  }

  /** The messages a connection received, in order. */
  received(connectionId: string): readonly string[] {
    return this.inbox.get(connectionId) ?? [];
  }

  /** Every call, in the order calls were made. */
  get calls(): readonly SenderCall[] {
    return this.log;
  }

  /** The most calls that were ever in flight at once. */
  get peakInFlight(): number {
    return this.peak;
  }

  async post(connectionId: string, data: string): Promise<'sent' | 'gone'> {
    this.log.push({ op: 'post', connectionId, data });
    await this.enter();
    try {
      const failure = this.options.failPost?.(connectionId, data) ?? null;
      if (failure !== null) throw failure;
      if (!this.open.has(connectionId)) return 'gone';
      const inbox = this.inbox.get(connectionId) ?? [];
      inbox.push(data);
      this.inbox.set(connectionId, inbox);
      return 'sent';
    } finally {
      this.inFlight -= 1;
    }
  }

  async close(connectionId: string): Promise<void> {
    this.log.push({ op: 'close', connectionId });
    await this.enter();
    try {
      const failure = this.options.failClose?.(connectionId) ?? null;
      if (failure !== null) throw failure;
      this.open.delete(connectionId);
    } finally {
      this.inFlight -= 1;
    }
  }

  private async enter(): Promise<void> {
    this.inFlight += 1;
    this.peak = Math.max(this.peak, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs ?? 0));
  }
}
