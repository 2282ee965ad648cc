import { ValidationError } from '@taskflow/platform-kernel';

/** The ETag of a resource version. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * The version an If-Match header requires: null when absent or `*` (any current version).
 * Weak tags never match under If-Match (RFC 9110), so they are refused as malformed.
 */
export function expectedVersionOf(header: string | undefined): number | null {
  if (header === undefined) return null;
  const value = header.trim();
  if (value === '*') return null;
  const match = /^"?([1-9][0-9]{0,9})"?$/.exec(value);
  if (!match?.[1]) {
    throw ValidationError.field(
      'INVALID_IF_MATCH',
      'If-Match',
      'must be one ETag as returned by this API, e.g. "3"',
    );
  }
  return Number(match[1]);
}
