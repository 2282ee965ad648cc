import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import type { HttpRequest, HttpResponse } from '@taskflow/platform-http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';

/** Bodies at least this large are compressed for clients that accept it. */
export const COMPRESS_FROM_BYTES = 1024;

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/** The transport-neutral request of an Express request (raw body as read by express.raw). */
export function toHttpRequest(req: Request): HttpRequest {
  const body = Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body : null;
  return {
    method: req.method,
    path: req.path,
    query: req.query as HttpRequest['query'],
    headers: headersOf(req),
    body,
  };
}

/** The request line and headers of a request whose body has not been read (no query, no body). */
export function requestHeadOf(req: IncomingMessage): HttpRequest {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return {
    method: req.method ?? 'GET',
    path: query === -1 ? url : url.slice(0, query),
    query: {},
    headers: headersOf(req),
    body: null,
  };
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/**
 * Writes a transport-neutral response: status, headers and body in one write. A JSON body of at
 * least 1 KB is compressed (brotli, else gzip) when the request's Accept-Encoding allows it.
 */
export function send(res: ServerResponse, response: HttpResponse): void {
  if (response.body === undefined) {
    res.writeHead(response.status, response.headers);
    res.end();
    return;
  }
  const body = Buffer.from(JSON.stringify(response.body));
  const coding =
    body.length >= COMPRESS_FROM_BYTES ? preferredCoding(res.req.headers['accept-encoding']) : null;
  if (coding === null) {
    res.writeHead(response.status, { ...response.headers, 'content-length': body.length });
    res.end(body);
    return;
  }
  const compressed =
    coding === 'br'
      ? brotli(body, {
          params: {
            // Quality 4 compresses JSON to about a fifth in well under a millisecond per 10 KB;
            // the default (11) is far slower for a few per cent more.
            [zlib.BROTLI_PARAM_QUALITY]: 4,
            [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
            [zlib.BROTLI_PARAM_SIZE_HINT]: body.length,
          },
        })
      : gzipped(body);
  compressed.then(
    (bytes) => {
      if (res.destroyed) return;
      const vary = response.headers['vary'];
      res.writeHead(response.status, {
        ...response.headers,
        'content-encoding': coding,
        vary: vary === undefined ? 'Accept-Encoding' : `${vary}, Accept-Encoding`,
        'content-length': bytes.length,
      });
      res.end(bytes);
    },
    () => {
      // zlib fails only on exhausted memory: the plain body is still a correct answer.
      if (res.destroyed || res.headersSent) return;
      res.writeHead(response.status, { ...response.headers, 'content-length': body.length });
      res.end(body);
    },
  );
}

/**
 * The content coding to answer with for an Accept-Encoding header (RFC 9110 §12.5.3): brotli
 * over gzip at equal weight, none when neither is acceptable (`q=0`, or absent).
 */
export function preferredCoding(acceptEncoding: string | undefined): 'br' | 'gzip' | null {
  if (acceptEncoding === undefined) return null;
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (name !== '') weights.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const weightOf = (coding: string): number => weights.get(coding) ?? weights.get('*') ?? 0;
  const br = weightOf('br');
  const gz = weightOf('gzip');
  if (br <= 0 && gz <= 0) return null;
  return br >= gz ? 'br' : 'gzip';
}
