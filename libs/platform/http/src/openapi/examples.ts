import { problemResponse } from '../problem';

/**
 * Example bodies of the document. Every example is checked against its schema (redocly's
 * `no-invalid-media-type-examples`, run by the host's contract test), so an example that drifts
 * from the shape fails the build rather than misleading a reader. A route's own examples sit on
 * the route (`Route.examples`); what its context's problems say, in its `OpenApiDocumentation`.
 */

const NEXT = 'eyJpZCI6IjNjOWQ4ZTdmIn0';

/** An example page of `items`; by default one that has a next page. */
export const examplePage = (items: readonly unknown[], nextCursor: string | null = NEXT) => ({
  items,
  nextCursor,
});

/**
 * What a problem of each code the HTTP core answers typically says (`detail`), for its example;
 * each context adds its own codes' in its `OpenApiDocumentation`.
 */
export const CORE_PROBLEM_DETAILS: Readonly<Record<string, string>> = {
  VALIDATION_FAILED: 'The request is invalid.',
  MALFORMED_JSON: 'the body is not valid JSON',
  MALFORMED_REQUEST: 'the request body could not be read',
  INVALID_FIELD: 'title: must not be empty',
  INVALID_CURSOR: 'cursor: is not a cursor this API issued',
  INVALID_IF_MATCH: 'If-Match: must be one ETag as returned by this API, e.g. "3"',
  INVALID_LAST_EVENT_ID: 'Last-Event-ID: is not an event id this stream sent',
  TOKEN_MISSING: 'send Authorization: Bearer <token>',
  TOKEN_INVALID: 'the token is not valid',
  TOKEN_EXPIRED: 'the token has expired',
  USER_UNKNOWN: 'the token names no user Taskflow knows',
  CONCURRENT_MODIFICATION: 'the resource kept changing; retry the request',
  IDEMPOTENCY_IN_FLIGHT: 'a request with this key is still being processed',
  IDEMPOTENCY_KEY_REUSED: 'this Idempotency-Key was used with a different request',
  STALE_VERSION: 'expected version 2 but the current version is 3',
  BODY_TOO_LARGE: 'the body may be at most 1048576 bytes',
  UNSUPPORTED_MEDIA_TYPE: 'send the body as application/json',
  INTERNAL_ERROR: 'an unexpected error occurred',
  SERVICE_UNAVAILABLE: 'the service is temporarily unavailable; retry later',
  METHOD_NOT_ALLOWED: 'PUT is not allowed here',
  EXPECTATION_FAILED: 'the only expectation served is 100-continue',
};

/**
 * An example problem of this status and code, built by the same function the server uses.
 * Throws for a code `details` says nothing about, so that no documented code goes unexplained.
 */
export function problemExample(
  status: number,
  code: string,
  details: Readonly<Record<string, string>>,
): unknown {
  const detail = details[code];
  if (detail === undefined) throw new Error(`no example detail for problem code ${code}`);
  const field = /^([A-Za-z-]+): (.*)$/.exec(detail);
  const errors =
    code === 'VALIDATION_FAILED'
      ? [{ path: 'title', message: 'Invalid input: expected string, received number' }]
      : field?.[1] !== undefined && field[2] !== undefined && status === 400
        ? [{ path: field[1], message: field[2] }]
        : undefined;
  return problemResponse(status, code, detail, {
    ...(errors ? { errors } : {}),
    ...(status === 500 ? { requestId: '4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f' } : {}),
  }).body;
}
