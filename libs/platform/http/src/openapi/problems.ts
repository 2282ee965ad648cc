import type { Route } from '../route';

/** The statuses a problem document can carry. */
export type ProblemStatus =
  400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 417 | 422 | 500 | 501 | 503;

/** The problem `code`s one operation can answer, by status. */
export type ProblemCodes = Readonly<Partial<Record<ProblemStatus, readonly string[]>>>;

/** What each problem status means, for every operation that documents it. */
export const PROBLEM_DESCRIPTIONS: Readonly<Record<ProblemStatus, string>> = {
  400: 'Malformed or invalid input; `errors` names each field at fault',
  401: 'Missing, invalid or expired credentials (a `WWW-Authenticate: Bearer` challenge)',
  403: 'A member without the role this action needs',
  404: 'Unknown, or not visible to the caller (existence is not revealed to non-members)',
  409: 'Conflicts with the current state',
  412: 'If-Match names a version that is no longer current',
  413: 'Body larger than 1 MiB',
  415: 'Body is not JSON, or is in a content encoding the server does not decode',
  417: 'An `Expect` other than `100-continue`',
  422: 'Idempotency-Key reused with a different request',
  500: 'Unexpected server fault; `instance` names the request in the logs',
  501: 'Not served by this deployment',
  503: 'The database is unreachable; retry after `Retry-After` seconds',
};

/**
 * Codes that follow from what a route declares (authentication, inputs, request headers): the
 * HTTP core (http-api.ts, problem.ts) and the Express transport answer them for every route
 * alike. A code the core learns goes into one of these lists, and every route that has the
 * feature documents it.
 */
export const FEATURE_PROBLEMS = {
  /** Every route that reaches the database (all authenticated ones). */
  database: { 500: ['INTERNAL_ERROR'], 503: ['SERVICE_UNAVAILABLE'] },
  /** Bearer-token authentication (token-verifier.ts, and the `IdentityResolver`: USER_UNKNOWN). */
  bearer: { 401: ['TOKEN_MISSING', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'USER_UNKNOWN'] },
  /**
   * Every route: the transport reads any request's body before routing, and refuses one over
   * 1 MiB, in an encoding it does not know, or that it cannot decode; and an expectation it does
   * not serve. Every route refuses unknown query parameters.
   */
  transport: {
    400: ['MALFORMED_REQUEST', 'VALIDATION_FAILED'],
    413: ['BODY_TOO_LARGE'],
    415: ['UNSUPPORTED_MEDIA_TYPE'],
    417: ['EXPECTATION_FAILED'],
  },
  /** A JSON body, checked by the core. */
  body: {
    400: ['VALIDATION_FAILED', 'MALFORMED_JSON'],
    413: ['BODY_TOO_LARGE'],
    415: ['UNSUPPORTED_MEDIA_TYPE'],
  },
  idempotencyKey: {
    400: ['VALIDATION_FAILED'],
    409: ['IDEMPOTENCY_IN_FLIGHT'],
    422: ['IDEMPOTENCY_KEY_REUSED'],
  },
  ifMatch: { 400: ['INVALID_IF_MATCH'], 412: ['STALE_VERSION'] },
} as const satisfies Record<string, ProblemCodes>;

/**
 * Every problem code a route can answer, by status: its features' codes and its use case's
 * (`Route.problems`). Throws for a route without `problems`, so that a new route cannot be
 * documented without saying what it can refuse.
 */
export function problemCodesOf(route: Route): Map<ProblemStatus, string[]> {
  const own = route.problems;
  if (own === undefined) {
    throw new Error(`route ${route.operationId} does not declare its problems`);
  }
  const lists: ProblemCodes[] = [FEATURE_PROBLEMS.transport];
  if (route.auth) lists.push(FEATURE_PROBLEMS.database, FEATURE_PROBLEMS.bearer);
  if (route.body) lists.push(FEATURE_PROBLEMS.body);
  if (route.requestHeaders?.includes('Idempotency-Key'))
    lists.push(FEATURE_PROBLEMS.idempotencyKey);
  if (route.requestHeaders?.includes('If-Match')) lists.push(FEATURE_PROBLEMS.ifMatch);
  lists.push(own);
  const merged = new Map<ProblemStatus, string[]>();
  for (const list of lists) {
    for (const [status, codes] of Object.entries<readonly string[]>(list)) {
      const key = Number(status) as ProblemStatus;
      merged.set(key, [...new Set([...(merged.get(key) ?? []), ...codes])]);
    }
  }
  return new Map([...merged].sort(([a], [b]) => a - b));
}
