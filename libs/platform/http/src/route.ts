import type { RequestContext } from '@taskflow/platform-ports';
import type { z } from 'zod';
import type { VerifiedIdentity } from './auth/token-verifier';
import type { HttpRequest, HttpResponse } from './http-types';
import type { OperationOverride } from './openapi/operations';
import type { ProblemCodes } from './openapi/problems';

/** What a route handler receives: validated inputs and, on authenticated routes, the actor. */
export interface RouteInput<P, Q, B> {
  readonly context: RequestContext;
  /** The verified token on authenticated routes (its expiry bounds what the route hands out). */
  readonly identity: VerifiedIdentity | null;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly request: HttpRequest;
}

/** A documented response of a route. */
export interface RouteResponse {
  readonly description: string;
  readonly schema?: z.ZodType;
  readonly headers?: readonly string[];
}

/** One operation of the API: dispatch, validation and documentation in one place. */
export interface Route<P = unknown, Q = unknown, B = unknown> {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** OpenAPI-style template, e.g. `/tasks/{id}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  /** False only for /health and /openapi.json. */
  readonly auth: boolean;
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  /** Extra request headers the route reads (documented). */
  readonly requestHeaders?: readonly ('If-Match' | 'Idempotency-Key')[];
  readonly responses: Readonly<Record<number, RouteResponse>>;
  /**
   * The problem codes this operation's own use case can raise, by status, read from the use
   * cases and aggregates and mapped by `problemForDomainError`: ValidationError → 400,
   * ForbiddenError → 403, NotFoundError → 404, ConflictError → 409, StaleVersionError after the
   * server's own retries → 409 CONCURRENT_MODIFICATION. The codes that follow from the route's
   * features (authentication, a body, request headers) are added by the document builder
   * (`FEATURE_PROBLEMS`). Documenting a route without this, even as `{}`, throws.
   */
  readonly problems?: ProblemCodes;
  /** Example bodies of the document: the request's, and the responses' by status. */
  readonly examples?: {
    readonly request?: unknown;
    readonly responses?: Readonly<Record<number, unknown>>;
  };
  /** What the declarations above cannot say about the operation (OpenAPI only). */
  readonly openApi?: OperationOverride;
  handle(input: RouteInput<P, Q, B>): Promise<HttpResponse>;
}

/** Declares a route, inferring handler input types from its schemas. */
export function route<P = undefined, Q = undefined, B = undefined>(
  definition: Route<P, Q, B>,
): Route {
  return definition;
}

/** A JSON response. */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body,
  };
}
