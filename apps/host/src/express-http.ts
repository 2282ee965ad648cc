import type { HttpRequest, HttpResponse } from '@taskflow/http-api';
import type { Request, Response } from 'express';

/** The transport-neutral request of an Express request (raw body as read by express.raw). */
export function toHttpRequest(req: Request): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const body = Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body : null;
  return {
    method: req.method,
    path: req.path,
    query: req.query as HttpRequest['query'],
    headers,
    body,
  };
}

/** Writes a transport-neutral response: status, headers and body in one write. */
export function send(res: Response, response: HttpResponse): void {
  if (response.body === undefined) {
    res.writeHead(response.status, response.headers);
    res.end();
    return;
  }
  const body = JSON.stringify(response.body);
  res.writeHead(response.status, {
    ...response.headers,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
