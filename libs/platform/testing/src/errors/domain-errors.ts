import { errorOf } from '@taskflow/platform-assertions';
import { ValidationError } from '@taskflow/platform-kernel';

/** A class of error, as `toBeInstanceOf` takes it. */
export type ErrorClass = new (...args: never[]) => Error;

/** Asserts that `error` (what `errorOf` caught) is a `type` with `code` and any other `fields`. */
export function expectDomainError(
  error: unknown,
  type: ErrorClass,
  code: string,
  fields: object = {},
): void {
  expect(error).toBeInstanceOf(type);
  expect(error).toMatchObject({ ...fields, code });
}

/** Asserts that `error` is the `ValidationError` INVALID_FIELD of `path` (with `message`, if given). */
export function expectInvalidField(error: unknown, path: string, message?: string): void {
  const issue = message === undefined ? { path } : { path, message };
  expectDomainError(error, ValidationError, 'INVALID_FIELD', { issues: [issue] });
}

/** A text field of bounded length: its issue path, its maximum and what a longer text is told. */
export interface BoundedTextField {
  /** The issue path (`name`). */
  readonly path: string;
  /** The most characters (code points) it takes. */
  readonly max: number;
  /** The message of a text one character too long (`must be at most 100 characters`). */
  readonly tooLong: string;
}

/**
 * Declares the tests every bounded text field shares: `make(text)` refuses an empty, a blank
 * and a one-character-too-long text with INVALID_FIELD on the field's path.
 */
export function itRefusesTextOutOfBounds(
  field: BoundedTextField,
  make: (text: string) => unknown,
): void {
  it.each([
    { case: 'empty', text: '', message: 'must not be empty' },
    { case: 'blank', text: ' \n\t ', message: 'must not be empty' },
    { case: 'too long', text: 'x'.repeat(field.max + 1), message: field.tooLong },
  ])(`rejects a ${field.path} that is $case`, ({ text, message }) => {
    // Act
    const error = errorOf(() => make(text));

    // Assess
    expectInvalidField(error, field.path, message);
  });
}

/** Asserts that `outcome` rejects with a `type` with `code` and any other `fields`. */
export async function expectRejection(
  outcome: Promise<unknown>,
  type: ErrorClass,
  code: string,
  fields: object = {},
): Promise<void> {
  await expect(outcome).rejects.toThrow(type);
  await expect(outcome).rejects.toMatchObject({ ...fields, code });
}
