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

/**
 * The paths (`a.b.0`) of every string in `value` that holds a NUL character. PostgreSQL text
 * cannot store one: input carrying it must be refused as invalid, not fail at the database.
 */
export function pathsWithNul(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return value.includes('\u0000') ? [path] : [];
  const at = (key: string): string => (path ? `${path}.${key}` : key);
  if (Array.isArray(value))
    return value.flatMap((item: unknown, i) => pathsWithNul(item, at(String(i))));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) => pathsWithNul(item, at(key)));
  return [];
}
