import type { DeliveryFailure } from '@taskflow/platform-event-routing';
import {
  DomainError,
  type FieldIssue,
  StaleVersionError,
  ValidationError,
} from '@taskflow/platform-kernel';

/**
 * Why the processor did not process an event. `retryable` is the bus contract
 * (`DeliveryFailure`): false means sending the same event again cannot succeed, so the local
 * bus dead-letters it at once; on AWS the platform retries anyway, then dead-letters it.
 */
export abstract class EventProcessingError extends Error implements DeliveryFailure {
  abstract readonly retryable: boolean;

  constructor(
    /** Stable code: `INVALID_EVENT`, `UNKNOWN_EVENT`, a domain code (`TASK_NOT_FOUND`...), `TRANSIENT`. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The event is malformed, unknown, or refused by the domain: it will never succeed as it is. */
export class PermanentEventError extends EventProcessingError {
  readonly retryable = false;
}

/** The event may succeed later (database down, a lost race that ran out of retries...). */
export class TransientEventError extends EventProcessingError {
  readonly retryable = true;
}

/** Inbound field names of the domain's fields, so a refusal names the field the sender sent. */
const INBOUND_FIELD: Readonly<Record<string, string>> = {
  dueDate: 'due_date',
  assigneeId: 'assigned_to',
};

/**
 * Turns whatever a command threw into an {@link EventProcessingError}: domain refusals are
 * permanent (a stale version aside, which only means the retries ran out), everything else is
 * taken as transient so that the platform retries it before dead-lettering.
 *
 * @param fieldPrefix - where the domain's fields sit in the inbound detail (`detail.taskData`).
 */
export function classifyFailure(error: unknown, fieldPrefix: string): EventProcessingError {
  if (error instanceof EventProcessingError) return error;
  if (error instanceof StaleVersionError) {
    return new TransientEventError('TRANSIENT', `lost every optimistic retry: ${error.message}`, {
      cause: error,
    });
  }
  if (error instanceof ValidationError && error.issues.length > 0) {
    const issues = error.issues.map(
      (issue: FieldIssue) => `${inboundPath(fieldPrefix, issue.path)}: ${issue.message}`,
    );
    return new PermanentEventError(error.code, `${error.code}: ${issues.join('; ')}`, {
      cause: error,
    });
  }
  if (error instanceof DomainError) {
    return new PermanentEventError(error.code, `${error.code}: ${error.message}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TransientEventError('TRANSIENT', `could not process the event: ${message}`, {
    cause: error,
  });
}

function inboundPath(prefix: string, path: string): string {
  const [head = '', ...rest] = path.split('.');
  return [prefix, INBOUND_FIELD[head] ?? head, ...rest].join('.');
}
