import type { CorsOrigins } from '@taskflow/platform-config';
import type { HttpResponse } from './http-types';

// The policy takes what the configuration parsed (`CORS_ALLOWED_ORIGINS`).
export type { CorsOrigins } from '@taskflow/platform-config';

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
