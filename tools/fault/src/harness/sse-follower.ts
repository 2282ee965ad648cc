import type { Availability } from './wait';

/** One event as the follower received it, with the connection that carried it. */
export interface FollowedEvent {
  /** The stream position (`id:`), the resume point. */
  readonly id: string;
  readonly type: string;
  readonly data: string;
  /** 1 for the first connection, 2 after the first reconnect... */
  readonly connection: number;
}

/** Consecutive failed connection attempts tolerated while no outage is declared. */
const MAX_UNEXPECTED_FAILURES = 5;

/**
 * A Server-Sent Events client that follows a stream as a browser's EventSource does: it keeps the
 * id of the last event it fully received and, whenever the connection ends (the client dropped
 * it, the server died), reconnects with that id as `Last-Event-ID`. It never skips or repeats on
 * its own: what it records is exactly what the server sent on each connection.
 */
export class SseFollower {
  readonly events: FollowedEvent[] = [];
  /** Connections opened (the first one included). */
  connections = 0;
  /** When each connection opened (`performance.now()`), in order. */
  readonly openedAt: number[] = [];
  private lastId: string | null;
  private controller: AbortController | null = null;
  private stopped = false;
  private readonly running: Promise<void>;
  private failure: Error | null = null;

  /**
   * Starts following. `resumeFrom`: the id to send as `Last-Event-ID` on the first connection
   * (null: from now on).
   */
  constructor(
    private readonly url: () => string,
    private readonly headers: Readonly<Record<string, string>>,
    private readonly availability: Availability,
    resumeFrom: string | null,
  ) {
    this.lastId = resumeFrom;
    this.running = this.loop().catch((error: unknown) => {
      this.failure = error instanceof Error ? error : new Error(String(error));
    });
  }

  /** Why the follower gave up (connections kept failing while the server was up), or null. */
  get error(): Error | null {
    return this.failure;
  }

  /** Drops the current connection, as a client losing its network does; it then reconnects. */
  drop(): void {
    this.controller?.abort();
  }

  /** Stops following; resolves once the last connection is closed, rejects if it had given up. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.controller?.abort();
    await this.running;
    if (this.failure !== null) throw this.failure;
  }

  // A method, not the field: it changes across every await of the loop.
  private isStopped(): boolean {
    return this.stopped;
  }

  private async loop(): Promise<void> {
    let unexpected = 0;
    while (!this.isStopped()) {
      await this.availability.whenUp();
      if (this.isStopped()) return;
      const outageBefore = this.availability.isDown();
      const controller = new AbortController();
      this.controller = controller;
      try {
        await this.follow(controller.signal);
        unexpected = 0;
      } catch (error) {
        if (this.isStopped() || controller.signal.aborted) continue;
        if (!outageBefore && !this.availability.isDown()) {
          unexpected += 1;
          if (unexpected > MAX_UNEXPECTED_FAILURES) throw error;
        }
      }
    }
  }

  /** One connection: reads events until the stream ends or fails. */
  private async follow(signal: AbortSignal): Promise<void> {
    const response = await fetch(this.url(), {
      headers: {
        accept: 'text/event-stream',
        ...this.headers,
        ...(this.lastId === null ? {} : { 'last-event-id': this.lastId }),
      },
      signal,
    });
    if (response.status !== 200 || response.body === null) {
      throw new Error(`the stream answered ${response.status}: ${await response.text()}`);
    }
    this.connections += 1;
    this.openedAt.push(performance.now());
    const connection = this.connections;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let boundary = buffer.indexOf('\n\n');
      while (boundary >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        this.take(block, connection);
        boundary = buffer.indexOf('\n\n');
      }
    }
  }

  /** Records one complete event block; only a complete block moves the resume point. */
  private take(block: string, connection: number): void {
    let id: string | null = null;
    let type = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('event: ')) type = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (id === null) return;
    this.lastId = id;
    // stream.open carries the position the stream starts from; it is no event of the log.
    if (type === 'stream.open') return;
    this.events.push({ id, type, data: data.join('\n'), connection });
  }
}
