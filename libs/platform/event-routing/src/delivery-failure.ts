/**
 * The contract between a bus and its targets about failures: a target that knows retrying
 * cannot help (a malformed or rejected event) throws an error carrying `retryable: false`, and
 * the bus dead-letters the event at once instead of spending its retries. Any other error is
 * taken as transient.
 */
export interface DeliveryFailure {
  readonly retryable: boolean;
}

/** True when `error` says that delivering the same event again cannot succeed. */
export function isPermanentFailure(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Partial<DeliveryFailure>).retryable === false
  );
}

/** The message of any thrown value, for a dead letter's reason. */
export function failureReason(error: unknown): string {
  if (error instanceof Error) return error.message === '' ? error.name : error.message;
  return String(error);
}
