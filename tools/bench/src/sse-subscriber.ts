import { type Socket, connect } from 'node:net';

/**
 * Milliseconds on a clock that every thread of this process shares (the worker threads holding
 * the streams and the main thread writing): `performance.now()` counts from each thread's own
 * start, `timeOrigin + now()` from the same instant in all of them (checked here: threads agree
 * within 0.05 ms).
 */
export function sharedClockMs(): number {
  return performance.timeOrigin + performance.now();
}

// Events are serialised by JSON.stringify: no spaces; the task id follows this key.
const TASK_MARK = Buffer.from('"aggregateId":"');
const UUID_LENGTH = 36;
const EMPTY = Buffer.alloc(0);

/**
 * Finds the task id of every event in a stream chunk, searched as bytes (converting 100 MB/s of
 * events to strings would load this process). `carry` is what the previous call returned: the
 * start of an event cut by the chunk boundary. Returns the carry for the next chunk.
 */
export function scanTaskIds(carry: Buffer, chunk: Buffer, found: (taskId: string) => void): Buffer {
  const bytes = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
  let position = 0;
  for (;;) {
    const mark = bytes.indexOf(TASK_MARK, position);
    if (mark < 0) return markPrefixAtEnd(bytes, position);
    const idStart = mark + TASK_MARK.length;
    if (idStart + UUID_LENGTH > bytes.length) return bytes.subarray(mark);
    found(bytes.toString('latin1', idStart, idStart + UUID_LENGTH));
    position = idStart + UUID_LENGTH;
  }
}

/**
 * The end of `bytes` (from `from` on) when it is the start of a mark cut by the chunk boundary,
 * else nothing: most chunks end with a whole event, and copying each one into the next would
 * cost this process a copy of every byte received.
 */
function markPrefixAtEnd(bytes: Buffer, from: number): Buffer {
  for (let length = Math.min(TASK_MARK.length - 1, bytes.length - from); length > 0; length -= 1) {
    const start = bytes.length - length;
    if (bytes.compare(TASK_MARK, 0, length, start) === 0) return bytes.subarray(start);
  }
  return EMPTY;
}

/**
 * Decodes an HTTP/1.1 chunked body incrementally: `feed` takes bytes as they come off the socket
 * and hands each piece of chunk data to `data`, without copying it. Returns false once the
 * terminating zero-length chunk has been read.
 */
export class ChunkedDecoder {
  private sizeLine = '';
  /** Data bytes left in the current chunk, or -1 while reading a size line. */
  private remaining = -1;
  /** CR LF bytes still to skip after a chunk's data. */
  private trailer = 0;
  private ended = false;

  constructor(private readonly data: (piece: Buffer) => void) {}

  feed(bytes: Buffer): boolean {
    let at = 0;
    while (at < bytes.length && !this.ended) {
      if (this.trailer > 0) {
        const skip = Math.min(this.trailer, bytes.length - at);
        this.trailer -= skip;
        at += skip;
      } else if (this.remaining > 0) {
        const take = Math.min(this.remaining, bytes.length - at);
        this.data(bytes.subarray(at, at + take));
        this.remaining -= take;
        at += take;
        if (this.remaining === 0) {
          this.remaining = -1;
          this.trailer = 2;
        }
      } else {
        const lf = bytes.indexOf(10, at);
        if (lf < 0) {
          this.sizeLine += bytes.toString('latin1', at);
          return true;
        }
        this.sizeLine += bytes.toString('latin1', at, lf);
        at = lf + 1;
        // The size is hex, optionally followed by extensions; the line ends with CR LF.
        const size = Number.parseInt(this.sizeLine.trim().split(';')[0] ?? '', 16);
        this.sizeLine = '';
        if (!Number.isInteger(size) || size < 0) throw new Error('malformed chunk size line');
        if (size === 0) this.ended = true;
        else this.remaining = size;
      }
    }
    return !this.ended;
  }
}

/**
 * One SSE client, on a raw socket: it does not parse events, and it does not run Node's HTTP
 * client either (its parser and stream machinery cost this process more per read than the
 * scan). It checks the response head, decodes the chunked body, scans the bytes for the task id
 * each event carries and stamps it with the arrival time of the read, so that 100,000 events a
 * second cost this process little (its own delay would otherwise add to every latency).
 */
export class Subscriber {
  private carry: Buffer = EMPTY;
  private socket: Socket | null = null;
  private closing = false;
  /** Reads that delivered bytes: about one per host write, as loopback TCP seldom merges them. */
  chunks = 0;
  /** True when the stream ended before the benchmark closed it. */
  cut = false;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly arrived: (taskId: string, atMs: number) => void,
  ) {}

  /** Resolves once the host answered 200: from then on every commit reaches this stream. */
  open(): Promise<void> {
    const target = new URL(this.url);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: target.hostname, port: Number(target.port) });
      this.socket = socket;
      socket.setNoDelay(true);
      // The response head as read so far; null once it has been read (the body follows).
      let head: Buffer | null = EMPTY;
      const decoder = new ChunkedDecoder((piece) => {
        const at = sharedClockMs();
        this.carry = scanTaskIds(this.carry, piece, (taskId) => {
          this.arrived(taskId, at);
        });
      });
      socket.on('connect', () => {
        socket.write(
          `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n` +
            `Authorization: Bearer ${this.token}\r\nAccept: text/event-stream\r\n\r\n`,
        );
      });
      const fail = (error: Error): void => {
        this.cut = true;
        socket.destroy();
        reject(error);
      };
      const feed = (bytes: Buffer): void => {
        this.chunks += 1;
        try {
          if (!decoder.feed(bytes)) socket.end();
        } catch (error) {
          fail(error instanceof Error ? error : new Error(String(error)));
        }
      };
      socket.on('data', (bytes: Buffer) => {
        if (head === null) {
          feed(bytes);
          return;
        }
        head = head.length === 0 ? bytes : Buffer.concat([head, bytes]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const lines = head.toString('latin1', 0, end).split('\r\n');
        const status = /^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? '')?.[1];
        if (status !== '200') {
          fail(new Error(`GET ${this.url} answered ${status ?? '?'}`));
          return;
        }
        if (!lines.some((line) => /^transfer-encoding:\s*chunked$/i.test(line))) {
          fail(new Error(`GET ${this.url}: the stream is not chunked`));
          return;
        }
        const rest = head.subarray(end + 4);
        head = null;
        resolve();
        if (rest.length > 0) feed(rest);
      });
      socket.on('close', () => {
        if (this.closing) return;
        this.cut = true;
        // Closed before the response head: open() must not wait for ever (no-op once resolved).
        reject(new Error(`GET ${this.url}: the connection closed before the response`));
      });
      socket.on('error', (error) => {
        if (this.closing) return;
        this.cut = true;
        reject(error);
      });
    });
  }

  close(): void {
    this.closing = true;
    this.socket?.destroy();
  }
}

/** Opens the streams, `parallelism` at a time, so that opening hundreds does not flood the host. */
export async function openAll(
  subscribers: readonly Subscriber[],
  parallelism: number,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < subscribers.length) {
      const subscriber = subscribers[next];
      next += 1;
      await subscriber?.open();
    }
  };
  await Promise.all(Array.from({ length: parallelism }, worker));
}

/** What a subscriber thread is started with. */
export interface SubscriberThreadInput {
  readonly urls: readonly string[];
  readonly token: string;
}

/** What the main thread tells a subscriber thread. */
export type SubscriberThreadCommand =
  { readonly kind: 'window'; readonly open: boolean } | { readonly kind: 'collect' };

/** Every arrival a thread recorded: task i arrived `counts[i]` times, its times in order in `times`. */
export interface ThreadArrivals {
  readonly kind: 'arrivals';
  readonly taskIds: readonly string[];
  readonly counts: Int32Array;
  readonly times: Float64Array;
  readonly cut: number;
  /** The thread's event-loop delay over the window, p99, in ms. */
  readonly loopDelayP99Ms: number;
}

/** What a subscriber thread tells the main thread. */
export type SubscriberThreadMessage =
  | { readonly kind: 'open' }
  | { readonly kind: 'failed'; readonly error: string }
  | { readonly kind: 'progress'; readonly arrivals: number; readonly chunks: number }
  | ThreadArrivals;
