import { ValidationError } from '@taskflow/platform-kernel';

/** Maximum length of an e-mail address, in characters. */
export const EMAIL_MAX_LENGTH = 255;

// Deliberately pragmatic (the WHATWG "valid e-mail address" shape): RFC 5322 allows far more
// than any mail system routes, and a stricter check only rejects real users.
const EMAIL_PATTERN =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;

/**
 * An e-mail address, trimmed and checked. Two addresses are the same user when their
 * `normalized` (lower-cased) forms are equal.
 */
export class Email {
  private constructor(readonly value: string) {}

  /** Validates and normalises raw input. */
  static create(raw: string, path = 'email'): Email {
    const value = raw.trim();
    if (value.length === 0) throw ValidationError.field('INVALID_EMAIL', path, 'must not be empty');
    if (value.length > EMAIL_MAX_LENGTH) {
      throw ValidationError.field('INVALID_EMAIL', path, `must be at most ${EMAIL_MAX_LENGTH} characters`);
    }
    if (!EMAIL_PATTERN.test(value)) {
      throw ValidationError.field('INVALID_EMAIL', path, 'must be a valid e-mail address');
    }
    return new Email(value);
  }

  /** The case-insensitive identity of the address. */
  get normalized(): string {
    return this.value.toLowerCase();
  }
}
