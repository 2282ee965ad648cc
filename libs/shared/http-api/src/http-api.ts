import { createHash, randomUUID } from 'node:crypto';
import type { IdempotencyStore, RequestContext, TransactionRunner } from '@taskflow/application';
import { DomainError, type FieldIssue, pathsWithNul } from '@taskflow/shared-kernel';
import type { z } from 'zod';
import type { VerifiedIdentity } from './auth/token-verifier';
import { AuthenticationError } from './auth/token-verifier';
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
  readonly now?: () => Date;
}

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
  private readonly now: () => Date;

  constructor(private readonly deps: HttpApiDependencies) {
    this.router = new Router(deps.routes);
    this.now = deps.now ?? (() => new Date());
  }

  /** Answers one request. Never throws: every failure becomes a problem response. */
  async handle(request: HttpRequest): Promise<HttpResponse> {
    const incoming = request.headers['x-request-id'];
    const requestId = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    let response: HttpResponse;
    try {
      response = await this.dispatch(request, requestId);
    } catch (error) {
      response = this.failure(error, request, requestId);
    }
    return { ...response, headers: { ...response.headers, 'x-request-id': requestId } };
  }

  /** A problem response for a failure the transport met before the API (oversized body...). */
  transportFailure(status: 400 | 413 | 415, detail: string): HttpResponse {
    const code = { 400: 'MALFORMED_REQUEST', 413: 'BODY_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE' }[
      status
    ];
    return problemResponse(status, code, detail);
  }

  private async dispatch(request: HttpRequest, requestId: string): Promise<HttpResponse> {
    const match = this.router.match(request.method, request.path);
    if (match.kind === 'not-found')
      return problemResponse(404, 'ROUTE_NOT_FOUND', `no route for ${request.path}`);
    if (match.kind === 'method-not-allowed') {
      return problemResponse(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed here`, {
        headers: { allow: match.allowed.join(', ') },
      });
    }
    const { route, params } = match;

    let context: RequestContext = { actorId: '', correlationId: requestId };
    if (route.auth) {
      const identity = await this.deps.authenticator.verify(request.headers['authorization']);
      context = {
        actorId: await this.deps.identities.userIdOf(identity, requestId),
        correlationId: requestId,
      };
    }

    const issues: FieldIssue[] = [];
    const parsedParams = route.params ? parse(route.params, params, 'path', issues) : undefined;
    const parsedQuery = route.query
      ? parse(route.query, singleValued(request.query, issues), 'query', issues)
      : undefined;
    if (parsedQuery !== undefined) findNul(parsedQuery, 'query', issues);
    if (issues.length > 0) return validationProblem(issues);

    let body: unknown;
    if (route.body) {
      const raw = this.readJson(request);
      if ('problem' in raw) return raw.problem;
      body = parse(route.body, raw.value, 'body', issues);
      if (issues.length === 0) findNul(body, 'body', issues);
      if (issues.length > 0) return validationProblem(issues);
    }

    const input = { context, params: parsedParams, query: parsedQuery, body, request };
    const key = request.headers['idempotency-key'];
    if (request.method === 'POST' && key !== undefined && route.auth) {
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

  private readJson(request: HttpRequest): { value: unknown } | { problem: HttpResponse } {
    const contentType = request.headers['content-type'];
    if (contentType === undefined || !JSON_MEDIA_TYPE.test(contentType)) {
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

  private failure(error: unknown, request: HttpRequest, requestId: string): HttpResponse {
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
