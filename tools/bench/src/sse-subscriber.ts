import { type ClientRequest, type IncomingMessage, request } from 'node:http';

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
 * One SSE client. It does not parse events: it scans the bytes for the task id each event
 * carries and stamps it with the arrival time of the chunk, so that 100,000 events a second cost
 * this process little (its own delay would otherwise add to every latency).
 */
export class Subscriber {
  private carry: Buffer = EMPTY;
  private request: ClientRequest | null = null;
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
    return new Promise((resolve, reject) => {
      const req = request(
        this.url,
        {
          agent: false,
          headers: { authorization: `Bearer ${this.token}`, accept: 'text/event-stream' },
        },
        (response: IncomingMessage) => {
          if (response.statusCode !== 200) {
            response.resume();
            reject(new Error(`GET ${this.url} answered ${response.statusCode ?? '?'}`));
            return;
          }
          response.on('data', (chunk: Buffer) => {
            const at = sharedClockMs();
            this.chunks += 1;
            this.carry = scanTaskIds(this.carry, chunk, (taskId) => {
              this.arrived(taskId, at);
            });
          });
          const ended = (): void => {
            if (!this.closing) this.cut = true;
          };
          response.on('end', ended);
          response.on('close', ended);
          resolve();
        },
      );
      req.on('error', (error) => {
        if (this.closing) return;
        this.cut = true;
        reject(error);
      });
      req.end();
      this.request = req;
    });
  }

  close(): void {
    this.closing = true;
    this.request?.destroy();
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
