import { createHash, randomUUID } from 'node:crypto';
import type { IdempotencyStore, RequestContext, TransactionRunner } from '@taskflow/platform-ports';
import { DomainError, type FieldIssue, pathsWithNul } from '@taskflow/platform-kernel';
import type { z } from 'zod';
import type { VerifiedIdentity } from './auth/token-verifier';
import { AuthenticationError } from './auth/token-verifier';
import { type CorsOrigins, CorsPolicy } from './cors';
import { type HttpRequest, type HttpResponse, MAX_BODY_BYTES } from './http-types';
import {
  problemForAuthenticationError,
  problemForDomainError,
  problemResponse,
  validationProblem,
} from './problem';
import type { Route } from './route';
import { Router } from './router';

/** The minimum the API needs of a logger (pino satisfies it). */
export interface ApiLogger {
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** Turns a verified token into the acting user's id. */
export interface IdentityResolver {
  userIdOf(identity: VerifiedIdentity, correlationId: string): Promise<string>;
}

/** Verifies bearer tokens. */
export interface Authenticator {
  verify(authorization: string | undefined): Promise<VerifiedIdentity>;
}

/** Collaborators of the API core. */
export interface HttpApiDependencies {
  readonly routes: readonly Route[];
  readonly authenticator: Authenticator;
  readonly identities: IdentityResolver;
  readonly idempotency: IdempotencyStore;
  readonly transactions: TransactionRunner;
  readonly logger: ApiLogger;
  /** Browser origins allowed to call from elsewhere (default: same-origin only). */
  readonly corsOrigins?: CorsOrigins;
  readonly now?: () => Date;
}

/**
 * Headers on every response: no MIME sniffing, no referrer leaking a URL (stream tickets ride in
 * URLs), and a document that may not be framed or run anything if a browser ever renders it.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

/** A failure met by the transport before the API could read the request. */
export type TransportFailureStatus = 400 | 408 | 413 | 415 | 417 | 431;

const TRANSPORT_FAILURE_CODES: Readonly<Record<TransportFailureStatus, string>> = {
  400: 'MALFORMED_REQUEST',
  408: 'REQUEST_TIMEOUT',
  413: 'BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  417: 'EXPECTATION_FAILED',
  431: 'HEADERS_TOO_LARGE',
};

/** How long an idempotency key is remembered. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i;

class IdempotencyRace extends Error {}

/**
 * The transport-neutral HTTP API: routing, authentication, validation, idempotency and error
 * mapping. Express and the API Gateway Lambda adapter only translate to and from `HttpRequest`
 * and `HttpResponse`, so no route is written twice.
 */
export class HttpApi {
  private readonly router: Router;
  private readonly cors: CorsPolicy;
  private readonly now: () => Date;

  constructor(private readonly deps: HttpApiDependencies) {
    this.router = new Router(deps.routes);
    this.cors = new CorsPolicy(deps.corsOrigins ?? []);
    this.now = deps.now ?? (() => new Date());
  }

  /** Answers one request. Never throws: every failure becomes a problem response. */
  async handle(request: HttpRequest): Promise<HttpResponse> {
    const requestId = requestIdOf(request);
    let response: HttpResponse;
    try {
      response = await this.dispatch(request, requestId);
    } catch (error) {
      response = this.problemFor(error, request, requestId);
    }
    return this.finish(request, response, requestId);
  }

  /**
   * Decides, from the request line and headers alone, whether a request announcing a body
   * (`Expect: 100-continue`) may send it: null when it may, else the final answer (unknown
   * route, bad token, body too large or not JSON), so that nobody uploads a body to be refused.
   */
  async admit(request: HttpRequest): Promise<HttpResponse | null> {
    const requestId = requestIdOf(request);
    const refuse = (response: HttpResponse): HttpResponse =>
      this.finish(request, response, requestId);
    try {
      const match = this.router.match(request.method, request.path);
      if (match.kind !== 'found') return refuse(await this.dispatch(request, requestId));
      if (match.route.auth) await this.deps.authenticator.verify(request.headers['authorization']);
      if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
        return refuse(
          problemResponse(413, 'BODY_TOO_LARGE', `the body may be at most ${MAX_BODY_BYTES} bytes`),
        );
      }
      if (match.route.body && !isJson(request.headers['content-type'])) {
        return refuse(
          problemResponse(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json'),
        );
      }
      return null;
    } catch (error) {
      return refuse(this.problemFor(error, request, requestId));
    }
  }

  /**
   * The headers every response to `request` carries (security, CORS, request id), for
   * transports that write a response themselves (the SSE stream).
   */
  commonHeaders(request: Pick<HttpRequest, 'headers'>): Record<string, string> {
    return {
      ...SECURITY_HEADERS,
      ...this.cors.headersFor(request.headers['origin']),
      'x-request-id': requestIdOf(request),
    };
  }

  /** A problem response for a failure the transport met before the API (oversized body...). */
  transportFailure(
    status: TransportFailureStatus,
    detail: string,
    request?: Pick<HttpRequest, 'headers'>,
  ): HttpResponse {
    const problem = problemResponse(status, TRANSPORT_FAILURE_CODES[status], detail);
    return {
      ...problem,
      headers: {
        'cache-control': 'no-store',
        ...SECURITY_HEADERS,
        ...problem.headers,
        ...(request === undefined ? {} : this.cors.headersFor(request.headers['origin'])),
      },
    };
  }

  /**
   * The problem answer to a failure: domain errors by their code, an unreachable database as
   * 503 with Retry-After, anything else 500 (logged with the request id).
   */
  problemFor(error: unknown, request: HttpRequest, requestId = requestIdOf(request)): HttpResponse {
    if (error instanceof AuthenticationError) return problemForAuthenticationError(error);
    if (error instanceof DomainError) {
      return problemForDomainError(error, {
        conditional: request.headers['if-match'] !== undefined,
      });
    }
    if (isUnavailable(error)) {
      this.deps.logger.warn({ err: error, requestId }, 'database unavailable');
      return problemResponse(
        503,
        'SERVICE_UNAVAILABLE',
        'the service is temporarily unavailable; retry later',
        {
          headers: { 'retry-after': '1' },
        },
      );
    }
    this.deps.logger.error(
      { err: error, requestId, method: request.method, path: request.path },
      'unhandled error',
    );
    return problemResponse(500, 'INTERNAL_ERROR', 'an unexpected error occurred', { requestId });
  }

  /** Adds the headers every response carries, and turns a matching conditional GET into 304. */
  private finish(request: HttpRequest, response: HttpResponse, requestId: string): HttpResponse {
    const answered = notModified(request, response) ?? response;
    return {
      ...answered,
      headers: {
        // Authenticated data must not sit in shared or browser caches; a route may say otherwise.
        'cache-control': 'no-store',
        ...SECURITY_HEADERS,
        ...answered.headers,
        ...this.cors.headersFor(request.headers['origin']),
        'x-request-id': requestId,
      },
    };
  }

  private async dispatch(request: HttpRequest, requestId: string): Promise<HttpResponse> {
    if (request.method === 'OPTIONS') return this.options(request);
    const match = this.router.match(request.method, request.path);
    if (match.kind === 'not-found')
      return problemResponse(404, 'ROUTE_NOT_FOUND', `no route for ${request.path}`);
    if (match.kind === 'method-not-allowed') {
      return problemResponse(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed here`, {
        headers: { allow: match.allowed.join(', ') },
      });
    }
    const { route, params, malformed } = match;

    let context: RequestContext = { actorId: '', correlationId: requestId };
    let identity: VerifiedIdentity | null = null;
    if (route.auth) {
      identity = await this.deps.authenticator.verify(request.headers['authorization']);
      context = {
        actorId: await this.deps.identities.userIdOf(identity, requestId),
        correlationId: requestId,
      };
    }

    const issues: FieldIssue[] = malformed.map((path) => ({
      path,
      message: 'is not valid percent-encoding',
    }));
    const parsedParams =
      route.params && issues.length === 0 ? parse(route.params, params, 'path', issues) : undefined;
    const parsedQuery = route.query
      ? parse(route.query, singleValued(request.query, issues), 'query', issues)
      : undefined;
    if (parsedQuery !== undefined) findNul(parsedQuery, 'query', issues);
    // A route without parameters refuses them like every other route refuses unknown ones.
    if (!route.query) {
      for (const [name, value] of Object.entries(request.query))
        if (value !== undefined) issues.push({ path: name, message: 'unknown parameter' });
    }
    if (issues.length > 0) return validationProblem(issues);

    let body: unknown;
    if (route.body) {
      const raw = this.readJson(request);
      if ('problem' in raw) return raw.problem;
      body = parse(route.body, raw.value, 'body', issues);
      if (issues.length === 0) findNul(body, 'body', issues);
      if (issues.length > 0) return validationProblem(issues);
    }

    const input = { context, identity, params: parsedParams, query: parsedQuery, body, request };
    const key = request.headers['idempotency-key'];
    // Only routes that document the header replay: a stream ticket, say, must be issued afresh.
    if (key !== undefined && route.auth && route.requestHeaders?.includes('Idempotency-Key')) {
      if (!IDEMPOTENCY_KEY.test(key)) {
        return validationProblem([
          { path: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' },
        ]);
      }
      // Canonical JSON (sorted keys) only feeds this hash: built here, not for every request.
      const canonicalBody = route.body ? canonicalJson(body) : '';
      const hash = createHash('sha256')
        .update(`${request.method} ${request.path}\n${canonicalBody}`)
        .digest('hex');
      return this.idempotent(context.actorId, key, hash, () => route.handle(input));
    }
    return route.handle(input);
  }

  /**
   * Runs a POST at most once per (actor, key): the first response is stored in the same
   * transaction as the command's writes, so a retry either finds it or runs the command anew,
   * never half of each. A concurrent duplicate waits on the key's row and then replays.
   */
  private async idempotent(
    actorId: string,
    key: string,
    hash: string,
    execute: () => Promise<HttpResponse>,
  ): Promise<HttpResponse> {
    const notBefore = new Date(this.now().getTime() - IDEMPOTENCY_RETENTION_MS);
    const replay = async (): Promise<HttpResponse | null> => {
      const record = await this.deps.idempotency.find(actorId, key, notBefore);
      if (record === null) return null;
      if (record.requestHash !== hash) {
        return problemResponse(
          422,
          'IDEMPOTENCY_KEY_REUSED',
          'this Idempotency-Key was used with a different request',
        );
      }
      return {
        ...record.response,
        headers: { ...record.response.headers, 'idempotent-replayed': 'true' },
      };
    };
    const earlier = await replay();
    if (earlier) return earlier;
    try {
      return await this.deps.transactions.run(async () => {
        const response = await execute();
        if (response.status >= 200 && response.status < 300) {
          const stored = await this.deps.idempotency.put(
            { actorId, key, requestHash: hash, response, createdAt: this.now().toISOString() },
            notBefore,
          );
          if (!stored) throw new IdempotencyRace();
        }
        return response;
      });
    } catch (error) {
      if (!(error instanceof IdempotencyRace)) throw error;
      return (
        (await replay()) ??
        problemResponse(
          409,
          'IDEMPOTENCY_IN_FLIGHT',
          'a request with this key is still being processed',
        )
      );
    }
  }

  /** OPTIONS: a CORS preflight, or the methods of the path (RFC 9110 §9.3.7). */
  private options(request: HttpRequest): HttpResponse {
    const methods = this.router.methodsOf(request.path);
    if (methods === null)
      return problemResponse(404, 'ROUTE_NOT_FOUND', `no route for ${request.path}`);
    const allow = { allow: methods.join(', ') };
    if (!CorsPolicy.isPreflight(request.method, request.headers))
      return { status: 204, headers: allow };
    const preflight = this.cors.preflight(request.headers['origin'], methods);
    return { ...preflight, headers: { ...allow, ...preflight.headers } };
  }

  private readJson(request: HttpRequest): { value: unknown } | { problem: HttpResponse } {
    if (!isJson(request.headers['content-type'])) {
      return {
        problem: problemResponse(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          'send the body as application/json',
        ),
      };
    }
    const raw = request.body ?? '';
    const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
    if (size > MAX_BODY_BYTES) {
      return {
        problem: problemResponse(
          413,
          'BODY_TOO_LARGE',
          `the body may be at most ${MAX_BODY_BYTES} bytes`,
        ),
      };
    }
    const text = typeof raw === 'string' ? raw : raw.toString('utf8');
    if (text.trim() === '')
      return { problem: validationProblem([{ path: 'body', message: 'a JSON body is required' }]) };
    try {
      return { value: JSON.parse(text) as unknown };
    } catch {
      return { problem: problemResponse(400, 'MALFORMED_JSON', 'the body is not valid JSON') };
    }
  }
}

function parse<T>(
  schema: z.ZodType<T>,
  value: unknown,
  location: 'path' | 'query' | 'body',
  issues: FieldIssue[],
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys)
        issues.push({
          path: base ? `${base}.${k}` : k,
          message: `unknown ${location === 'body' ? 'field' : 'parameter'}`,
        });
    } else {
      issues.push({ path: base || location, message: issue.message });
    }
  }
  return undefined as T;
}

function requestIdOf(request: Pick<HttpRequest, 'headers'>): string {
  const incoming = request.headers['x-request-id'];
  return incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && JSON_MEDIA_TYPE.test(contentType);
}

/**
 * The 304 answer to a GET or HEAD whose If-None-Match names the response's current ETag
 * (weak comparison, RFC 9110 §13.1.2), or null when the full response is due.
 */
function notModified(request: HttpRequest, response: HttpResponse): HttpResponse | null {
  const etag = response.headers['etag'];
  const condition = request.headers['if-none-match'];
  if (etag === undefined || condition === undefined || response.status !== 200) return null;
  if (request.method !== 'GET' && request.method !== 'HEAD') return null;
  const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');
  const matches =
    condition.trim() === '*' || condition.split(',').some((tag) => opaque(tag) === opaque(etag));
  if (!matches) return null;
  const kept: Record<string, string> = { etag };
  const cacheControl = response.headers['cache-control'];
  if (cacheControl !== undefined) kept['cache-control'] = cacheControl;
  return { status: 304, headers: kept };
}

function singleValued(query: HttpRequest['query'], issues: FieldIssue[]): Record<string, string> {
  const single: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (typeof value === 'string') single[name] = value;
    else if (value.length === 1 && value[0] !== undefined) single[name] = value[0];
    else issues.push({ path: name, message: 'give this parameter once' });
  }
  return single;
}

/** JSON with object keys sorted, so equal bodies hash equally whatever their formatting. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

// Socket errors, and SQLSTATEs meaning "the database cannot serve you right now": admin
// shutdown, cannot connect now, too many connections, statement timeout, and 55000, which is
// what a database refusing connections answers.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '57014',
  '55000',
]);

function isUnavailable(error: unknown): boolean {
  const candidate = (error as { driverError?: unknown } | null)?.driverError ?? error;
  const code = (candidate as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08')))
    return true;
  return (
    error instanceof Error &&
    // pg's client-side deadlines: getting a connection, opening one, one statement.
    /timeout exceeded when trying to connect|Connection terminated|Query read timeout/i.test(
      error.message,
    )
  );
}

/** Adds an issue for every string holding a NUL character (JSON `\u0000`, a query's `%00`). */
function findNul(value: unknown, fallback: string, issues: FieldIssue[]): void {
  for (const path of pathsWithNul(value))
    issues.push({ path: path || fallback, message: 'must not contain the NUL character' });
}
