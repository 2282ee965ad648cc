import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { type HttpApi, MAX_BODY_BYTES, StreamGate } from '@taskflow/platform-http';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { BoardConfig } from './board-config';
import { requestHeadOf, send, toHttpRequest } from './express-http';

/**
 * The board's page may load only its own scripts and styles, talk only to this origin (and to
 * its identity provider's token endpoint, where it exchanges the sign-in code), and not be
 * framed. Its assets have content-hashed names: cached for a year; the page itself is
 * revalidated on every load, so that a new build is picked up at once.
 */
function boardHeaders(board: BoardConfig | null): Readonly<Record<string, string>> {
  const connect = ["'self'"];
  if (board?.auth.kind === 'oidc') connect.push(new URL(board.auth.tokenUrl).origin);
  return {
    'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ${connect.join(' ')}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
}

/** True when `dir` holds a built board (its index.html). */
export function hasWebBoard(dir: string | null): dir is string {
  return dir !== null && existsSync(join(dir, 'index.html'));
}

/**
 * The board's own routes beyond `/`, answered with its page: the identity provider sends the
 * browser back to `/auth/callback`. Only extension-less paths: a missing asset stays a 404.
 */
const BOARD_PAGE_ROUTES = /^\/auth\/[\w-]+$/;

/**
 * Serves the built board: `/`, its hashed assets, its runtime configuration (`/config.json`,
 * never cached: it says where to sign in) and its page for its own routes; every other path
 * falls through to the API.
 */
function webBoard(dir: string, board: BoardConfig | null): RequestHandler {
  const headers = boardHeaders(board);
  const files = express.static(dir, {
    index: 'index.html',
    redirect: false,
    fallthrough: true,
    setHeaders: (res, path) => {
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      res.setHeader(
        'cache-control',
        path.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  const configJson = board === null ? null : JSON.stringify(board);
  return (req, res, next) => {
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (read && req.path === '/config.json' && configJson !== null) {
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.setHeader('cache-control', 'no-store');
      res.setHeader('x-content-type-options', 'nosniff');
      res.end(req.method === 'HEAD' ? undefined : configJson);
      return;
    }
    // The page itself, by its file name: serve-static answers `/` only for a request of `/`.
    if (read && BOARD_PAGE_ROUTES.test(req.path)) req.url = '/index.html';
    files(req, res, next);
  };
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
  board: BoardConfig | null = null,
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Before the body parser: the board's files are read-only GETs.
  if (hasWebBoard(webDir)) app.use(webBoard(webDir, board));
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
