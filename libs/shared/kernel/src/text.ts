import { ValidationError } from './domain-error';

/**
 * Checks a free-text field's length in characters (code points, not UTF-16 units, so an emoji
 * counts once) and returns it, trimmed when `trim` is set.
 */
export function boundedText(
  path: string,
  value: string,
  bounds: { min: number; max: number; trim: boolean },
): string {
  const text = bounds.trim ? value.trim() : value;
  const length = Array.from(text).length;
  if (length < bounds.min) {
    throw ValidationError.field(
      'INVALID_FIELD',
      path,
      bounds.min === 1 ? 'must not be empty' : `must be at least ${bounds.min} characters`,
    );
  }
  if (length > bounds.max) {
    throw ValidationError.field('INVALID_FIELD', path, `must be at most ${bounds.max} characters`);
  }
  return text;
}
