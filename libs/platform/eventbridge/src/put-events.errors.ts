import { EventBridgeServiceException } from '@aws-sdk/client-eventbridge';

/**
 * Per-entry error codes that sending the same entry again cannot cure: the PutEventsResultEntry
 * reference's non-retryable list, plus ValidationException.
 */
const PERMANENT_ENTRY_CODES: ReadonlySet<string> = new Set([
  'AccessDeniedException',
  'InvalidAccountIdException',
  'InvalidArgument',
  'MalformedDetail',
  'RedactionFailure',
  'NotAuthorizedForSourceException',
  'NotAuthorizedForDetailTypeException',
  'ValidationException',
]);

const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
]);

const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'InternalException',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** What a PutEvents entry's error code means for the entry. */
export type EntryErrorKind = 'retryable' | 'permanent';

/**
 * Classifies a per-entry `ErrorCode`. The reference documents InternalFailure and
 * ThrottlingException as retryable; a code on neither documented list is taken as retryable too,
 * so that a transient code AWS adds later never dead-letters a good event (the publisher's
 * attempt limit bounds what a wrong guess costs).
 */
export function classifyEntryError(code: string): EntryErrorKind {
  return PERMANENT_ENTRY_CODES.has(code) ? 'permanent' : 'retryable';
}

/**
 * What an error thrown by a whole PutEvents call means:
 * - `throttled` / `transient`: the call may succeed later; back off and send the batch again.
 * - `invalid-request`: the request was refused as malformed (ValidationException); some entry
 *   in it is at fault, or all are.
 * - `refused`: the caller may not call at all (credentials, permissions, missing bus);
 *   retrying within milliseconds cannot help, but the events themselves are fine.
 */
export interface CallErrorVerdict {
  readonly kind: 'throttled' | 'transient' | 'invalid-request' | 'refused';
  /** Error name, e.g. `ThrottlingException`, `AbortError`, `ECONNREFUSED`. */
  readonly code: string;
  readonly message: string;
}

/** Classifies an error thrown by `EventBridgeClient.send(new PutEventsCommand(...))`. */
export function classifyCallError(error: unknown): CallErrorVerdict {
  if (error instanceof EventBridgeServiceException) {
    const code = error.name;
    const message = error.message;
    if (THROTTLING_CODES.has(code) || error.$retryable?.throttling === true) {
      return { kind: 'throttled', code, message };
    }
    const status = error.$metadata.httpStatusCode ?? 0;
    if (TRANSIENT_CODES.has(code) || error.$fault === 'server' || status >= 500) {
      return { kind: 'transient', code, message };
    }
    if (code === 'ValidationException') return { kind: 'invalid-request', code, message };
    return { kind: 'refused', code, message };
  }
  if (error instanceof Error) {
    // Credentials that cannot be loaded will not appear between two backoff sleeps.
    if (error.name === 'CredentialsProviderError') {
      return { kind: 'refused', code: error.name, message: error.message };
    }
    // Everything else (timeouts, aborts, connection resets, DNS) is the network's weather.
    const code = errorCode(error) ?? error.name;
    return { kind: 'transient', code, message: error.message };
  }
  return { kind: 'transient', code: 'UnknownError', message: String(error) };
}

function errorCode(error: Error): string | undefined {
  const code: unknown = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
