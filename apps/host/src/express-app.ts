import { type HttpApi, MAX_BODY_BYTES, StreamGate } from '@taskflow/platform-http';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { requestHeadOf, send, toHttpRequest } from './express-http';

/**
 * Express in front of the transport-neutral API: it reads the raw body (refusing more than 1 MB
 * without buffering it) and hands everything else to `HttpApi`, but for project event streams,
 * which `stream` serves when given (SSE needs a connection held open).
 */
export function createExpressApp(api: HttpApi, stream?: RequestHandler): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
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
