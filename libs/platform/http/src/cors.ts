import { z } from 'zod';
import type { HttpResponse } from './http-types';

/**
 * Which browser origins may call the API from another origin: none (same-origin only), a list,
 * or any (`*`, only when configured so explicitly).
 */
export type CorsOrigins = '*' | readonly string[];

/** Request headers a cross-origin caller may send (everything the API reads). */
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'If-Match',
  'If-None-Match',
  'Idempotency-Key',
  'Last-Event-ID',
  'X-Request-Id',
] as const;

/** Response headers a cross-origin caller's script may read. */
export const CORS_EXPOSED_HEADERS = [
  'ETag',
  'Location',
  'Retry-After',
  'X-Request-Id',
  'Idempotent-Replayed',
] as const;

/** How long a browser may reuse a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE_S = 600;

const ORIGIN = /^https?:\/\/[a-z0-9.-]+(?::\d{1,5})?$|^https?:\/\/\[[0-9a-f:.]+\](?::\d{1,5})?$/;

/**
 * `CORS_ALLOWED_ORIGINS`: empty or absent for none, `*` for any, else comma-separated origins
 * (`scheme://host[:port]`, no path). The one parser of the setting, for the host and the Lambdas.
 */
export const CorsOriginsSchema = z
  .string()
  .optional()
  .transform((text, context): CorsOrigins => {
    const items = (text ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    if (items.length === 1 && items[0] === '*') return '*';
    const origins: string[] = [];
    for (const item of items) {
      // Origins compare exactly (RFC 6454 serialisation): lower case, no trailing slash.
      const origin = item.toLowerCase();
      if (item === '*' || !ORIGIN.test(origin)) {
        context.addIssue({
          code: 'custom',
          message: `"${item}" is not an origin (scheme://host[:port]); use * alone to allow any`,
        });
        return z.NEVER;
      }
      origins.push(origin);
    }
    return [...new Set(origins)];
  });

/**
 * The API's cross-origin policy (Fetch standard CORS): answers preflights and adds the
 * `Access-Control-*` headers to responses for allowed origins. Bearer tokens, not cookies,
 * carry identity, so credentials are never allowed and `*` is safe when chosen.
 */
export class CorsPolicy {
  private readonly any: boolean;
  private readonly allowed: ReadonlySet<string>;

  constructor(origins: CorsOrigins) {
    this.any = origins === '*';
    this.allowed = new Set(origins === '*' ? [] : origins);
  }

  /** True for a preflight request (OPTIONS with `Access-Control-Request-Method`). */
  static isPreflight(
    method: string,
    headers: Readonly<Record<string, string | undefined>>,
  ): boolean {
    return method === 'OPTIONS' && headers['access-control-request-method'] !== undefined;
  }

  /** The CORS headers of a response to a request from `origin` (none for a disallowed one). */
  headersFor(origin: string | undefined): Record<string, string> {
    if (this.any) {
      return {
        'access-control-allow-origin': '*',
        'access-control-expose-headers': CORS_EXPOSED_HEADERS.join(', '),
      };
    }
    if (this.allowed.size === 0) return {};
    // The answer depends on Origin: caches must keep one copy per origin.
    if (origin === undefined || !this.allowed.has(origin.toLowerCase())) return { vary: 'Origin' };
    return {
      'access-control-allow-origin': origin,
      'access-control-expose-headers': CORS_EXPOSED_HEADERS.join(', '),
      vary: 'Origin',
    };
  }

  /** The answer to a preflight for a path that allows `methods`. */
  preflight(origin: string | undefined, methods: readonly string[]): HttpResponse {
    const headers = this.headersFor(origin);
    if (headers['access-control-allow-origin'] === undefined) return { status: 204, headers };
    return {
      status: 204,
      headers: {
        ...headers,
        'access-control-allow-methods': methods.join(', '),
        'access-control-allow-headers': CORS_ALLOWED_HEADERS.join(', '),
        'access-control-max-age': String(PREFLIGHT_MAX_AGE_S),
      },
    };
  }
}
