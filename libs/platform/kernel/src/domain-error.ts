/** One problem with one input field, addressed by a JSON-pointer-like dotted path. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Base of every expected business failure. `code` is stable and part of the public contract;
 * transports map the subclass (the failure's category) to their own vocabulary (HTTP status,
 * retry decision). Programmer errors are plain `Error`s and never extend this.
 */
export abstract class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that breaks an invariant of a value or aggregate. */
export class ValidationError extends DomainError {
  constructor(
    code: string,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
  ) {
    super(code, message);
  }

  /** A validation failure about a single field. */
  static field(code: string, path: string, message: string): ValidationError {
    return new ValidationError(code, `${path}: ${message}`, [{ path, message }]);
  }
}

/** The thing does not exist, or the actor may not know that it exists. */
export class NotFoundError extends DomainError {}

/** The actor is known to the resource but lacks the role for this action. */
export class ForbiddenError extends DomainError {}

/** The request is valid but conflicts with the current state (duplicate, last owner, ...). */
export class ConflictError extends DomainError {}

/** The caller's expected version is not the current one (optimistic concurrency). */
export class StaleVersionError extends DomainError {
  constructor(
    readonly expectedVersion: number,
    readonly actualVersion: number | null,
  ) {
    super(
      'STALE_VERSION',
      actualVersion === null
        ? `expected version ${expectedVersion} but the resource changed`
        : `expected version ${expectedVersion} but the current version is ${actualVersion}`,
    );
  }
}
