import { ValidationError, boundedText } from '@taskflow/platform-kernel';
import { generateKeyBetween } from 'fractional-indexing';

/** Bounds of a task title, in characters, after trimming. */
export const TASK_TITLE_BOUNDS = { min: 1, max: 200 } as const;
/** Maximum length of a task description, in characters. */
export const TASK_DESCRIPTION_MAX = 10_000;
/** Maximum number of distinct labels on a task. */
export const TASK_LABELS_MAX = 20;
/** Bounds of one label, in characters, after trimming. */
export const TASK_LABEL_BOUNDS = { min: 1, max: 50 } as const;

// RFC 3339 date-time with a mandatory offset; Date.parse alone accepts many other shapes.
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/i;

// Date.parse rolls impossible dates over (2025-02-30 becomes 2 March), so every field is
// range-checked against the calendar before the text is trusted.
function isRealDateTime(match: RegExpExecArray): boolean {
  // Indexed access: an optional group that did not match is undefined at run time.
  const part = (group: number, absent?: number): number | undefined => {
    const text = match[group];
    return text === undefined ? absent : Number(text);
  };
  const [year, month, day, hour, minute] = [part(1), part(2), part(3), part(4), part(5)];
  const [second, offsetHour, offsetMinute] = [part(6, 0) ?? 0, part(7, 0) ?? 0, part(8, 0) ?? 0];
  if (
    year === undefined ||
    month === undefined ||
    day === undefined ||
    hour === undefined ||
    minute === undefined
  ) {
    return false;
  }
  const daysInMonth = daysIn(year, month);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHour <= 23 &&
    offsetMinute <= 59
  );
}

// Date.UTC maps years 0–99 to 1900–1999 (0 is a leap year, 1900 is not), so the calendar is
// computed rather than asked of Date.
function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * The UTC years a task instant may fall in. PostgreSQL has no year 0 and reads only four-digit
 * years from the normalised text, so anything outside would fail in SQL instead of here.
 */
export const TASK_INSTANT_YEARS = { min: 1, max: 9999 } as const;

/** Why an instant (due date, due-date filter) was refused: the same words on every path. */
export const TASK_INSTANT_RULE = `must be an ISO 8601 date-time with offset (e.g. 2030-06-01T12:00:00Z) whose UTC instant lies in the years ${String(TASK_INSTANT_YEARS.min).padStart(4, '0')}–${TASK_INSTANT_YEARS.max}`;

/**
 * The one rule for an instant a task is compared with: an RFC 3339 date-time with a mandatory
 * offset, a real calendar date, whose UTC instant lies in {@link TASK_INSTANT_YEARS}; answered
 * normalised to UTC (`...Z`, milliseconds). HTTP bodies and queries and inbound events all
 * reach it, so the same bad value is refused the same way everywhere.
 *
 * @param path - the field the value came in (`dueDate`, `dueBefore`...), named by the error.
 * @throws ValidationError `INVALID_FIELD` on `path` with {@link TASK_INSTANT_RULE}.
 */
export function taskInstant(path: string, value: string): string {
  const match = ISO_DATE_TIME.exec(value);
  const millis = match && isRealDateTime(match) ? Date.parse(value) : Number.NaN;
  const year = Number.isNaN(millis) ? Number.NaN : new Date(millis).getUTCFullYear();
  if (!(year >= TASK_INSTANT_YEARS.min && year <= TASK_INSTANT_YEARS.max)) {
    throw ValidationError.field('INVALID_FIELD', path, TASK_INSTANT_RULE);
  }
  return new Date(millis).toISOString();
}

/** A trimmed title of 1–200 characters. */
export function taskTitle(value: string): string {
  return boundedText('title', value, { ...TASK_TITLE_BOUNDS, trim: true });
}

/** A description of at most 10,000 characters, kept as written. */
export function taskDescription(value: string): string {
  return boundedText('description', value, { min: 0, max: TASK_DESCRIPTION_MAX, trim: false });
}

/** Labels trimmed and de-duplicated (first spelling wins), at most 20, each 1–50 characters. */
export function taskLabels(values: readonly string[]): string[] {
  const distinct = new Set<string>();
  values.forEach((raw, index) => {
    distinct.add(boundedText(`labels.${index}`, raw, { ...TASK_LABEL_BOUNDS, trim: true }));
  });
  if (distinct.size > TASK_LABELS_MAX) {
    throw ValidationError.field(
      'INVALID_FIELD',
      'labels',
      `must hold at most ${TASK_LABELS_MAX} distinct labels`,
    );
  }
  return [...distinct];
}

/** A due date by {@link taskInstant} on path `dueDate`, normalised to UTC, or null (none). */
export function taskDueDate(value: string | null): string | null {
  return value === null ? null : taskInstant('dueDate', value);
}

/** Longest order key a task's rank may be: keys grow only when cards are squeezed between close neighbours. */
export const TASK_RANK_MAX = 100;

/** Why a rank was refused: the same words on every path. */
export const TASK_RANK_RULE = `must be an order key of at most ${TASK_RANK_MAX} letters and digits, as the fractional-indexing library makes them (e.g. a0, a1V, N8203362399999)`;

const RANK_CHARACTERS = /^[0-9A-Za-z]+$/;

/**
 * A task's place in its board column: an order key (`fractional-indexing`'s format) that sorts
 * bytewise among the column's other keys, lowest first. Any two keys have one between them, so
 * a card dropped between two others changes only itself. The library is the rule: a key it
 * cannot build a successor of is not one of its keys.
 *
 * @throws ValidationError `INVALID_FIELD` on `rank` with {@link TASK_RANK_RULE}.
 */
export function taskRank(value: string): string {
  if (value.length > TASK_RANK_MAX || !RANK_CHARACTERS.test(value) || !isOrderKey(value)) {
    throw ValidationError.field('INVALID_FIELD', 'rank', TASK_RANK_RULE);
  }
  return value;
}

function isOrderKey(value: string): boolean {
  try {
    generateKeyBetween(value, null);
    return true;
  } catch {
    return false;
  }
}

// 'N' heads a 13-digit integer part; counting down from 13 nines makes later keys smaller.
const NEWEST_FIRST_HEAD = 'N';
const NEWEST_FIRST_BASE = 9_999_999_999_999;

/**
 * The rank a task gets when its creator names none: newest first, from its creation instant
 * alone (no read of the column), so new cards go on top of the ones created before them. The
 * same key as the SQL that ranks tasks stored before ranks existed (`tasks.rank` null).
 */
export function defaultTaskRank(createdAt: string): string {
  const millis = Date.parse(createdAt);
  return NEWEST_FIRST_HEAD + String(NEWEST_FIRST_BASE - millis).padStart(13, '0');
}
