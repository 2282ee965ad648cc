import { ValidationError, boundedText } from '@taskflow/shared-kernel';

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
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
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

/** An ISO 8601 date-time with offset, normalised to UTC (`...Z`), or null. */
export function taskDueDate(value: string | null): string | null {
  if (value === null) return null;
  const match = ISO_DATE_TIME.exec(value);
  const millis = match && isRealDateTime(match) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(millis)) {
    throw ValidationError.field(
      'INVALID_FIELD',
      'dueDate',
      'must be an ISO 8601 date-time with offset, or null',
    );
  }
  return new Date(millis).toISOString();
}
