/** One Server-Sent Event as received. */
export interface SseEvent {
  readonly id: string | null;
  readonly event: string;
  readonly data: string;
}

/** A Server-Sent Events connection read with fetch, for tests. */
export interface SseConnection {
  readonly status: number;
  readonly headers: Headers;
  readonly events: SseEvent[];
  /** Resolves once `count` events (of `type`, if given) have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, type?: string, timeoutMs?: number): Promise<SseEvent[]>;
  /** Resolves with the first event that `match` accepts; rejects after `timeoutMs`. */
  waitUntil(match: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

/** Opens `url` as an event stream. */
export async function openSse(
  url: string,
  headers: Record<string, string> = {},
): Promise<SseConnection> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  let endedResolve: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => {
    endedResolve = resolve;
  });
  if (response.body && response.status === 200) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let boundary = buffer.indexOf('\n\n');
          while (boundary >= 0) {
            const block = buffer.slice(0, boundary);
            buffer = buffer.slice(boundary + 2);
            let id: string | null = null;
            let event = 'message';
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('id: ')) id = line.slice(4);
              else if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data.push(line.slice(6));
            }
            if (data.length > 0) events.push({ id, event, data: data.join('\n') });
            for (const waiter of waiters) waiter();
            boundary = buffer.indexOf('\n\n');
          }
        }
      } catch {
        // aborted by close()
      }
      endedResolve();
    })();
  } else {
    endedResolve();
  }
  return {
    status: response.status,
    headers: response.headers,
    events,
    ended,
    waitFor: (count, type, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const matching = (): SseEvent[] =>
          events.filter((e) => type === undefined || e.event === type);
        const check = (): void => {
          if (matching().length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(matching());
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `timed out waiting for ${count} ${type ?? ''} events; got ${matching().length}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    waitUntil: (match, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const found = events.find(match);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `timed out waiting for a matching event; got ${events.map((e) => e.event).join(', ')}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () => controller.abort(),
  };
}
