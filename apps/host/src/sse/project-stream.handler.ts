import type { StreamGate } from '@taskflow/http-api';
import { type ProjectEventHub, type StreamSubscriber, formatCursor } from '@taskflow/live-updates';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { send, toHttpRequest } from '../express-http';

/** Tuning of the SSE transport. */
export interface SseOptions {
  /** Comment lines sent this often keep proxies and clients from timing the stream out. */
  readonly heartbeatMs: number;
  /** Bytes a client may leave unread before it is cut off (it reconnects and resumes). */
  readonly maxBufferedBytes: number;
  /** Reconnection delay suggested to EventSource clients. */
  readonly retryMs: number;
}

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
  gate: StreamGate,
  hub: ProjectEventHub,
  logger: Logger,
  options: SseOptions = DEFAULT_SSE_OPTIONS,
): RequestHandler {
  return (req, res, next) => {
    void (async () => {
      const opening = await gate.open(toHttpRequest(req));
      if (!opening.ok) {
        send(res, opening.response);
        return;
      }
      // Nothing is sent before the hub has registered the subscriber: a client that has the
      // response headers is guaranteed every commit made from then on (so it may act at once and
      // expect to see its own event). A failure before that still gets a problem answer.
      const begin = (): void => {
        if (res.headersSent) return;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          // Proxies such as nginx would otherwise buffer the stream.
          'x-accel-buffering': 'no',
        });
        res.write(`retry: ${options.retryMs}\n\n`);
      };
      let open = true;
      let live = false;
      const heartbeat = setInterval(() => {
        if (open && live) res.write(': heartbeat\n\n');
      }, options.heartbeatMs);
      heartbeat.unref();
      const finish = (): void => {
        open = false;
        clearInterval(heartbeat);
      };
      const subscriber: StreamSubscriber = {
        userId: opening.userId,
        deliver: (event) => {
          if (!open) return false;
          begin();
          res.write(
            `id: ${formatCursor(event.cursor)}\nevent: ${event.envelope.type}\ndata: ${JSON.stringify(event.envelope)}\n\n`,
          );
          return res.writableLength <= options.maxBufferedBytes;
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
          res.end(`event: stream.end\ndata: ${JSON.stringify({ reason })}\n\n`);
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
      if (res.destroyed || res.writableEnded) {
        unsubscribe();
        return;
      }
      begin();
      res.write('event: stream.open\ndata: {}\n\n');
      live = true;
    })().catch(next);
  };
}
