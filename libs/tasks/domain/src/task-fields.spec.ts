import {
  TASK_DESCRIPTION_MAX,
  TASK_LABELS_MAX,
  TASK_LABEL_BOUNDS,
  TASK_INSTANT_RULE,
  TASK_RANK_MAX,
  TASK_RANK_RULE,
  defaultTaskRank,
  taskRank,
  TASK_TITLE_BOUNDS,
  taskDescription,
  taskDueDate,
  taskInstant,
  taskLabels,
  taskTitle,
} from './task-fields';
import { errorOf } from '@taskflow/platform-assertions';
import { generateKeyBetween } from 'fractional-indexing';
import { expectInvalidField, itRefusesTextOutOfBounds } from '@taskflow/platform-testing';

/** `count` distinct labels: l0, l1, … */
const distinctLabels = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `l${i}`);

describe('taskTitle', () => {
  it.each([
    { case: 'a plain title', value: 'Write the report', expected: 'Write the report' },
    {
      case: 'surrounding whitespace, trimmed',
      value: '\t Write the report \n',
      expected: 'Write the report',
    },
    { case: 'one character', value: 'x', expected: 'x' },
    {
      case: 'the maximum',
      value: 't'.repeat(TASK_TITLE_BOUNDS.max),
      expected: 't'.repeat(TASK_TITLE_BOUNDS.max),
    },
    {
      case: 'the maximum in emoji (code points, not UTF-16 units)',
      value: '🚀'.repeat(TASK_TITLE_BOUNDS.max),
      expected: '🚀'.repeat(TASK_TITLE_BOUNDS.max),
    },
  ])('accepts $case', ({ value, expected }) => {
    // Act
    const result = taskTitle(value);

    // Assess
    expect(result).toBe(expected);
  });

  itRefusesTextOutOfBounds(
    { path: 'title', max: TASK_TITLE_BOUNDS.max, tooLong: 'must be at most 200 characters' },
    taskTitle,
  );

  it('counts code points, rejecting one emoji too many', () => {
    // Act
    const error = errorOf(() => taskTitle('🚀'.repeat(TASK_TITLE_BOUNDS.max + 1)));

    // Assess
    expectInvalidField(error, 'title', 'must be at most 200 characters');
  });
});

describe('taskDescription', () => {
  it.each([
    { case: 'an empty description', value: '' },
    { case: 'whitespace, kept as written', value: '  indented\n\n' },
    { case: 'the maximum', value: 'd'.repeat(TASK_DESCRIPTION_MAX) },
    { case: 'the maximum in emoji', value: '📝'.repeat(TASK_DESCRIPTION_MAX) },
  ])('accepts $case', ({ value }) => {
    // Act
    const result = taskDescription(value);

    // Assess
    expect(result).toBe(value);
  });

  it('rejects one character too many on path description', () => {
    // Act
    const error = errorOf(() => taskDescription('d'.repeat(TASK_DESCRIPTION_MAX + 1)));

    // Assess
    expectInvalidField(error, 'description', 'must be at most 10000 characters');
  });
});

describe('taskLabels', () => {
  it.each([
    { case: 'no labels', values: [], expected: [] },
    { case: 'labels trimmed', values: [' bug ', '\turgent'], expected: ['bug', 'urgent'] },
    {
      case: 'duplicates dropped, first one kept',
      values: ['bug', 'ui', 'bug'],
      expected: ['bug', 'ui'],
    },
    {
      case: 'duplicates after trimming dropped',
      values: ['bug', ' bug', 'bug '],
      expected: ['bug'],
    },
    { case: 'different case kept apart', values: ['Bug', 'bug'], expected: ['Bug', 'bug'] },
    {
      case: 'the maximum number of labels',
      values: distinctLabels(TASK_LABELS_MAX),
      expected: distinctLabels(TASK_LABELS_MAX),
    },
    {
      case: 'more entries than the maximum that collapse to it',
      values: [...distinctLabels(TASK_LABELS_MAX), 'l0', ' l1 ', 'l19'],
      expected: distinctLabels(TASK_LABELS_MAX),
    },
    {
      case: 'a label of the maximum length',
      values: ['x'.repeat(TASK_LABEL_BOUNDS.max)],
      expected: ['x'.repeat(TASK_LABEL_BOUNDS.max)],
    },
    {
      case: 'a label of 50 emoji',
      values: ['🏷'.repeat(TASK_LABEL_BOUNDS.max)],
      expected: ['🏷'.repeat(TASK_LABEL_BOUNDS.max)],
    },
  ])('accepts $case', ({ values, expected }) => {
    // Act
    const result = taskLabels(values);

    // Assess
    expect(result).toEqual(expected);
  });

  it.each([
    {
      case: 'an empty label',
      values: ['a', 'b', 'c', ''],
      path: 'labels.3',
      message: 'must not be empty',
    },
    { case: 'a blank label', values: ['   '], path: 'labels.0', message: 'must not be empty' },
    {
      case: 'a label one character too long',
      values: ['ok', 'x'.repeat(TASK_LABEL_BOUNDS.max + 1)],
      path: 'labels.1',
      message: 'must be at most 50 characters',
    },
    {
      case: 'one distinct label too many',
      values: distinctLabels(TASK_LABELS_MAX + 1),
      path: 'labels',
      message: 'must hold at most 20 distinct labels',
    },
  ])('rejects $case on path $path', ({ values, path, message }) => {
    // Act
    const error = errorOf(() => taskLabels(values));

    // Assess
    expectInvalidField(error, path, message);
  });
});

describe('taskDueDate', () => {
  it.each([
    { case: 'null', value: null, expected: null },
    { case: 'UTC', value: '2025-06-01T10:00:00Z', expected: '2025-06-01T10:00:00.000Z' },
    {
      case: 'a positive offset',
      value: '2025-06-01T10:00:00+02:00',
      expected: '2025-06-01T08:00:00.000Z',
    },
    {
      case: 'a negative offset across midnight',
      value: '2025-06-01T22:30:00-05:00',
      expected: '2025-06-02T03:30:00.000Z',
    },
    { case: 'no seconds', value: '2025-06-01T10:00Z', expected: '2025-06-01T10:00:00.000Z' },
    {
      case: 'milliseconds',
      value: '2025-06-01T10:00:00.123Z',
      expected: '2025-06-01T10:00:00.123Z',
    },
    {
      case: 'lower-case separators',
      value: '2025-06-01t10:00:00z',
      expected: '2025-06-01T10:00:00.000Z',
    },
    { case: 'a leap day', value: '2024-02-29T12:00:00Z', expected: '2024-02-29T12:00:00.000Z' },
  ])('normalises $case to UTC', ({ value, expected }) => {
    // Act
    const result = taskDueDate(value);

    // Assess
    expect(result).toBe(expected);
  });

  it.each([
    { case: 'an empty string', value: '' },
    { case: 'a date without a time', value: '2025-06-01' },
    { case: 'a date-time without an offset', value: '2025-06-01T10:00:00' },
    { case: 'a space instead of T', value: '2025-06-01 10:00:00Z' },
    { case: 'prose', value: 'next Friday' },
    { case: 'epoch milliseconds', value: '1748772000000' },
    { case: 'an RFC 2822 date', value: 'Sun, 01 Jun 2025 10:00:00 GMT' },
    { case: 'month 13', value: '2025-13-01T00:00:00Z' },
    { case: 'hour 25', value: '2025-06-01T25:00:00Z' },
    { case: 'an offset of 25 hours', value: '2025-06-01T10:00:00+25:00' },
    // A day that does not exist must be refused, not silently rolled over into the next month
    // (Date.parse does roll it over; PostgreSQL would refuse the same text).
    { case: 'February 30th, a day that does not exist', value: '2025-02-30T00:00:00Z' },
    { case: 'April 31st, a day that does not exist', value: '2025-04-31T09:00:00Z' },
    { case: 'February 29th of a common year', value: '2025-02-29T00:00:00Z' },
  ])('rejects $case on path dueDate', ({ value }) => {
    // Act
    const error = errorOf(() => taskDueDate(value));

    // Assess
    expectInvalidField(error, 'dueDate');
  });
});

describe('taskInstant', () => {
  // PostgreSQL has no year 0 and reads only four-digit years: these passed the old rule and
  // failed in SQL (22008, 22009) as a 500.
  it.each([
    { case: 'year 0000', value: '0000-01-01T00:00:00Z' },
    { case: 'year 0001 whose UTC instant is in year 0', value: '0001-01-01T00:00:00+01:00' },
    { case: 'year 9999 whose UTC instant is in year 10000', value: '9999-12-31T23:59:59-23:59' },
    { case: 'one minute past the end of 9999 in UTC', value: '9999-12-31T23:59:59-00:01' },
    { case: 'February 29th of 0100 (not a leap year)', value: '0100-02-29T00:00:00Z' },
  ])('rejects $case on the path given, with the one rule', ({ value }) => {
    // Act
    const error = errorOf(() => taskInstant('dueBefore', value));

    // Assess
    expectInvalidField(error, 'dueBefore', TASK_INSTANT_RULE);
    expect(error).toMatchObject({ message: `dueBefore: ${TASK_INSTANT_RULE}` });
  });

  it.each([
    {
      case: 'the first instant',
      value: '0001-01-01T00:00:00Z',
      expected: '0001-01-01T00:00:00.000Z',
    },
    {
      case: 'year 0001 ahead of UTC, still in 0001',
      value: '0001-01-01T23:59:00+23:59',
      expected: '0001-01-01T00:00:00.000Z',
    },
    {
      case: 'year 0001 behind UTC',
      value: '0001-01-01T00:00:00-01:00',
      expected: '0001-01-01T01:00:00.000Z',
    },
    {
      case: 'the last millisecond',
      value: '9999-12-31T23:59:59.999Z',
      expected: '9999-12-31T23:59:59.999Z',
    },
    {
      case: 'year 9999 ahead of UTC',
      value: '9999-12-31T23:59:59+23:59',
      expected: '9999-12-31T00:00:59.000Z',
    },
    {
      case: 'a leap day of year 0004',
      value: '0004-02-29T00:00:00Z',
      expected: '0004-02-29T00:00:00.000Z',
    },
  ])('accepts $case, normalised to UTC', ({ value, expected }) => {
    // Act
    const result = taskInstant('dueAfter', value);

    // Assess
    expect(result).toBe(expected);
  });

  it('is the rule taskDueDate applies, on path dueDate', () => {
    // Act
    const error = errorOf(() => taskDueDate('0000-01-01T00:00:00Z'));

    // Assess
    expect(error).toMatchObject({
      code: 'INVALID_FIELD',
      issues: [{ path: 'dueDate', message: TASK_INSTANT_RULE }],
    });
  });
});

describe('taskRank', () => {
  it('accepts every key the library builds, between, before and after others', () => {
    // Prepare
    const keys: string[] = [generateKeyBetween(null, null)];
    for (let i = 0; i < 200; i += 1) {
      const at = (i * 7919) % keys.length;
      const before = keys[at - 1] ?? null;
      const after = keys[at] ?? null;
      keys.splice(at, 0, generateKeyBetween(before, after));
    }

    // Assess
    for (const key of keys) expect(taskRank(key)).toBe(key);
    expect([...keys].sort()).toEqual(keys);
  });

  it.each([
    { why: 'empty', value: '' },
    { why: 'a head without its integer digits', value: 'a' },
    { why: 'a fraction ending in its zero digit', value: 'a10' },
    { why: 'a character outside the key alphabet', value: 'a0 ' },
    { why: 'a letter head of the wrong length', value: 'zz' },
    { why: 'one character too long', value: `a0${'V'.repeat(TASK_RANK_MAX - 1)}` },
  ])('rejects $why on path rank', ({ value }) => {
    // Act
    const error = errorOf(() => taskRank(value));

    // Assess
    expectInvalidField(error, 'rank', TASK_RANK_RULE);
  });

  it('accepts a key of exactly the longest length', () => {
    const value = `a0${'V'.repeat(TASK_RANK_MAX - 2)}`;
    expect(taskRank(value)).toBe(value);
  });
});

describe('defaultTaskRank', () => {
  it('is a valid key that sorts later instants first', () => {
    // Act
    const older = defaultTaskRank('2026-01-01T00:00:00.000Z');
    const newer = defaultTaskRank('2026-01-01T00:00:00.001Z');

    // Assess
    expect(taskRank(older)).toBe('N8232774399999');
    expect(newer < older).toBe(true);
    expect(taskRank(generateKeyBetween(newer, older))).toMatch(/^N/);
  });
});
