import {
  ConflictError,
  DomainError,
  type FieldIssue,
  ForbiddenError,
  NotFoundError,
  StaleVersionError,
  ValidationError,
} from '@taskflow/platform-kernel';
import type { AuthenticationError } from './auth/token-verifier';
import type { HttpResponse } from './http-types';

/** An RFC 9457 problem document with Taskflow's stable `code` and field `errors`. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly errors?: readonly FieldIssue[];
  readonly instance?: string;
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The problem type URI of a code: stable, documented in the OpenAPI description. */
export function problemType(code: string): string {
  return `https://taskflow.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`;
}

/** A problem+json response. */
export function problemResponse(
  status: number,
  code: string,
  detail: string,
  extra: {
    errors?: readonly FieldIssue[];
    headers?: Record<string, string>;
    requestId?: string;
  } = {},
): HttpResponse {
  const body: Problem = {
    type: problemType(code),
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(extra.errors && extra.errors.length > 0 ? { errors: extra.errors } : {}),
    ...(extra.requestId ? { instance: `urn:request:${extra.requestId}` } : {}),
  };
  return {
    status,
    headers: { 'content-type': 'application/problem+json', ...extra.headers },
    body,
  };
}

/** A 400 naming the fields at fault. */
export function validationProblem(
  issues: readonly FieldIssue[],
  detail = 'The request is invalid.',
): HttpResponse {
  return problemResponse(400, 'VALIDATION_FAILED', detail, { errors: issues });
}

/**
 * The one place that maps domain failures to HTTP. `StaleVersionError` means 412 when the client
 * sent If-Match (its precondition failed) and 409 when the server's own retries ran out.
 */
export function problemForDomainError(
  error: DomainError,
  options: { conditional: boolean },
): HttpResponse {
  if (error instanceof ValidationError) {
    return problemResponse(400, error.code, error.message, { errors: error.issues });
  }
  if (error instanceof NotFoundError) return problemResponse(404, error.code, error.message);
  if (error instanceof ForbiddenError) return problemResponse(403, error.code, error.message);
  if (error instanceof StaleVersionError) {
    return options.conditional
      ? problemResponse(412, error.code, error.message)
      : problemResponse(
          409,
          'CONCURRENT_MODIFICATION',
          'the resource kept changing; retry the request',
        );
  }
  if (error instanceof ConflictError) return problemResponse(409, error.code, error.message);
  return problemResponse(400, error.code, error.message);
}

/** The 401 for a missing, invalid or expired token or ticket, with its Bearer challenge. */
export function problemForAuthenticationError(error: AuthenticationError): HttpResponse {
  return problemResponse(401, error.code, error.message, {
    headers: { 'www-authenticate': 'Bearer' },
  });
}
