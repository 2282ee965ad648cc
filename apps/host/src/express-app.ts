import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { type HttpApi, MAX_BODY_BYTES, StreamGate } from '@taskflow/platform-http';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { requestHeadOf, send, toHttpRequest } from './express-http';

/**
 * The board's page may load only its own scripts and styles, talk only to this origin, and not
 * be framed. Its assets have content-hashed names: cached for a year; the page itself is
 * revalidated on every load, so that a new build is picked up at once.
 */
const BOARD_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** True when `dir` holds a built board (its index.html). */
export function hasWebBoard(dir: string | null): dir is string {
  return dir !== null && existsSync(join(dir, 'index.html'));
}

/** Serves the built board: `/` and its hashed assets; every other path falls through to the API. */
function webBoard(dir: string): RequestHandler {
  return express.static(dir, {
    index: 'index.html',
    redirect: false,
    fallthrough: true,
    setHeaders: (res, path) => {
      for (const [name, value] of Object.entries(BOARD_HEADERS)) res.setHeader(name, value);
      res.setHeader(
        'cache-control',
        path.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
}

/**
 * Express in front of the transport-neutral API: it reads the raw body (refusing more than 1 MB
 * without buffering it) and hands everything else to `HttpApi`, but for project event streams,
 * which `stream` serves when given (SSE needs a connection held open).
 */
export function createExpressApp(
  api: HttpApi,
  stream?: RequestHandler,
  webDir: string | null = null,
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Before the body parser: the board's files are read-only GETs.
  if (hasWebBoard(webDir)) app.use(webBoard(webDir));
  // Plain parsing: a repeated parameter becomes an array, never a nested object.
  app.set('query parser', 'simple');
  app.use(express.raw({ type: () => true, limit: MAX_BODY_BYTES }));
  if (stream) {
    app.use((req, res, next) => {
      if (StreamGate.matches(req)) stream(req, res, next);
      else next();
    });
  }
  app.use((req, res, next) => {
    api.handle(toHttpRequest(req)).then((response) => send(res, response), next);
  });
  const bodyErrors: ErrorRequestHandler = (
    error: { type?: string; status?: number },
    req,
    res,
    next,
  ) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const request = requestHeadOf(req);
    const failure =
      error.type === 'entity.too.large'
        ? api.transportFailure(413, `the body may be at most ${MAX_BODY_BYTES} bytes`, request)
        : error.type === 'encoding.unsupported' || error.type === 'charset.unsupported'
          ? api.transportFailure(415, 'unsupported content encoding or charset', request)
          : api.transportFailure(400, 'the request body could not be read', request);
    send(res, {
      ...failure,
      headers: { ...failure.headers, ...api.commonHeaders(request), connection: 'close' },
    });
  };
  app.use(bodyErrors);
  return app;
}
