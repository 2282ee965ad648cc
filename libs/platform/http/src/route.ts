import type { RequestContext } from '@taskflow/platform-ports';
import type { z } from 'zod';
import type { VerifiedIdentity } from './auth/token-verifier';
import type { HttpRequest, HttpResponse } from './http-types';

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
