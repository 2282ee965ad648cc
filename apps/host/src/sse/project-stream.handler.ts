import type { HttpApi, HttpResponse, StreamGate } from '@taskflow/platform-http';
import { envelopeJson } from '@taskflow/platform-events';
import {
  type ProjectEventHub,
  STREAM_START,
  type StreamedEvent,
  type StreamSubscriber,
  formatCursor,
} from '@taskflow/platform-live-updates';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { send, toHttpRequest } from '../express-http';

/** What the SSE transport stands on. */
export interface SseDependencies {
  readonly gate: StreamGate;
  readonly hub: ProjectEventHub;
  /** Maps failures to problem answers and gives the headers every response carries. */
  readonly api: HttpApi;
  readonly logger: Logger;
}

/** Tuning of the SSE transport. */
export interface SseOptions {
  /** Comment lines sent this often keep proxies and clients from timing the stream out. */
  readonly heartbeatMs: number;
  /** Bytes a client may leave unread before it is cut off (it reconnects and resumes). */
  readonly maxBufferedBytes: number;
  /** Reconnection delay suggested to EventSource clients. */
  readonly retryMs: number;
}

const HEARTBEAT = Buffer.from(': heartbeat\n\n');
/** How long a client may stay over its buffer limit before it counts as slow. */
const SLOW_AFTER_MS = 2_000;
/** Past this many times its buffer limit, a client is cut off at once. */
const HARD_LIMIT_FACTOR = 16;
/** Frames pending for one write are written at once past this size. */
const FLUSH_AT_BYTES = 64 * 1024;
const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store, no-transform',
  connection: 'keep-alive',
  // Proxies such as nginx would otherwise buffer the stream.
  'x-accel-buffering': 'no',
};

export const DEFAULT_SSE_OPTIONS: SseOptions = {
  heartbeatMs: 15_000,
  maxBufferedBytes: 1024 * 1024,
  retryMs: 2_000,
};

/**
 * `GET /projects/{id}/stream`: Server-Sent Events of a project's events, each with its stream
 * position as `id:` so that a reconnecting client resumes exactly where it stopped.
 */
export function projectStreamHandler(
  { gate, hub, api, logger }: SseDependencies,
  options: SseOptions = DEFAULT_SSE_OPTIONS,
): RequestHandler {
  // The hub hands every subscriber of a project the same event object: its frame is serialised
  // once, not once per subscriber (200 subscribers at 500 events/s were 100,000 JSON.stringify
  // calls a second).
  const frames = new WeakMap<StreamedEvent, Buffer>();
  const frameOf = (event: StreamedEvent): Buffer => {
    let frame = frames.get(event);
    if (frame === undefined) {
      frame = Buffer.from(
        `id: ${formatCursor(event.cursor)}\nevent: ${event.envelope.type}\ndata: ${envelopeJson(event.envelope)}\n\n`,
      );
      frames.set(event, frame);
    }
    return frame;
  };
  // Every up-to-date subscriber gets the same array of events from one hub read: its frames are
  // joined once, and each subscriber writes the same buffer (200 subscribers made 200 copies).
  const batches = new WeakMap<readonly StreamedEvent[], Buffer>();
  const framesOf = (events: readonly StreamedEvent[]): Buffer => {
    const [only] = events;
    if (events.length === 1 && only !== undefined) return frameOf(only);
    let joined = batches.get(events);
    if (joined === undefined) {
      joined = Buffer.concat(events.map(frameOf));
      batches.set(events, joined);
    }
    return joined;
  };
  return (req, res) => {
    const request = toHttpRequest(req);
    const common = api.commonHeaders(request);
    const answer = (response: HttpResponse): void => {
      send(res, {
        ...response,
        headers: { 'cache-control': 'no-store', ...common, ...response.headers },
      });
    };
    // A failure that is not the caller's (the database is down, a bug) gets the answer every
    // other route gives it (503 with Retry-After, or a logged 500) while nothing is sent yet;
    // once streaming, the connection is cut and the client resumes from its last event id.
    const fail = (error: unknown): void => {
      if (!res.headersSent) {
        // The id the headers carry: a 500's `instance` must name the request the logs name.
        answer(api.problemFor(error, request, common['x-request-id']));
        return;
      }
      logger.warn({ err: error, path: request.path }, 'stream failed; connection cut');
      res.destroy();
    };
    void (async () => {
      const opening = await gate.open(request);
      if (!opening.ok) {
        answer(opening.response);
        return;
      }
      if (request.method === 'HEAD') {
        res.writeHead(200, { ...SSE_HEADERS, ...common });
        res.end();
        return;
      }
      // Nothing is sent before the hub has registered the subscriber: a client that has the
      // response headers is guaranteed every commit made from then on (so it may act at once and
      // expect to see its own event). A failure before that still gets a problem answer.
      const begin = (): void => {
        if (res.headersSent) return;
        res.writeHead(200, { ...SSE_HEADERS, ...common });
        res.write(`retry: ${options.retryMs}\n\n`);
      };
      let open = true;
      let live = false;
      // What one synchronous pass of the hub delivers (a log read, or a catch-up with the events
      // buffered meanwhile) leaves in one write: a write per frame costs a chunk and a syscall.
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      let flushQueued = false;
      const flush = (): void => {
        flushQueued = false;
        if (pending.length === 0) return;
        const chunk = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        if (chunk && !res.writableEnded && !res.destroyed) res.write(chunk);
      };
      const enqueue = (frame: Buffer): void => {
        pending.push(frame);
        pendingBytes += frame.length;
        // A large pass (a catch-up of big events) goes out as it grows: held back, its size
        // would count against the client as if the client were not reading.
        if (pendingBytes >= FLUSH_AT_BYTES) {
          flush();
          return;
        }
        if (flushQueued) return;
        flushQueued = true;
        queueMicrotask(flush);
      };
      // A client is slow when what the socket has not taken stays over the limit for a while
      // (or grows far past it): a catch-up is delivered in one synchronous burst, which no
      // client can read while it is being written.
      let underLimitAt = performance.now();
      res.on('drain', () => {
        underLimitAt = performance.now();
      });
      const tooSlow = (): boolean => {
        const buffered = res.writableLength;
        if (buffered <= options.maxBufferedBytes) {
          underLimitAt = performance.now();
          return false;
        }
        return (
          buffered > options.maxBufferedBytes * HARD_LIMIT_FACTOR ||
          performance.now() - underLimitAt > SLOW_AFTER_MS
        );
      };
      const heartbeat = setInterval(() => {
        if (open && live) enqueue(HEARTBEAT);
      }, options.heartbeatMs);
      heartbeat.unref();
      const finish = (): void => {
        open = false;
        clearInterval(heartbeat);
      };
      const subscriber: StreamSubscriber = {
        userId: opening.userId,
        // Carries the position, so that a reconnect before any further event misses nothing.
        live: (position) => {
          if (!open) return;
          begin();
          enqueue(
            Buffer.from(
              `id: ${formatCursor(position ?? STREAM_START)}\nevent: stream.open\ndata: {}\n\n`,
            ),
          );
          live = true;
        },
        deliver: (events) => {
          if (!open) return false;
          begin();
          enqueue(framesOf(events));
          return !tooSlow();
        },
        end: (reason) => {
          if (!open) return;
          finish();
          if (reason === 'slow') {
            // Its buffer is full: more bytes would not reach it; it reconnects and resumes.
            logger.info(
              { projectId: opening.projectId, userId: opening.userId },
              'slow stream client cut off',
            );
            res.destroy();
            return;
          }
          begin();
          // What was delivered before the end (the removal event of a revoked member) goes first.
          flush();
          res.end(`event: stream.end\ndata: ${JSON.stringify({ reason })}\n\n`, () => {
            // Shutting down: the connection would otherwise sit idle (keep-alive) and hold the
            // server's close until the client's timeout.
            if (reason === 'shutdown') req.socket.destroy();
          });
        },
      };
      let unsubscribe: (() => void) | null = null;
      res.on('close', () => {
        finish();
        unsubscribe?.();
      });
      unsubscribe = await hub.subscribe(opening.projectId, subscriber, opening.resumeAfter);
      if (unsubscribe === null) {
        // Membership ended between admission and subscription.
        subscriber.end('revoked');
        return;
      }
      // The client may have left, or the stream ended, while it was catching up.
      if (res.destroyed || res.writableEnded) unsubscribe();
    })().catch(fail);
  };
}
