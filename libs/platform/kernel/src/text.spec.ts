import { ValidationError } from './domain-error';
import { boundedText, pathsWithNul } from './text';
import { errorOf } from '@taskflow/platform-assertions';

const TITLE = { min: 1, max: 5, trim: true };
const UNTRIMMED = { min: 0, max: 5, trim: false };

describe('boundedText', () => {
  it.each<{ case: string; value: string; bounds: typeof TITLE; expected?: string }>([
    { case: 'a value within bounds', value: 'abc', bounds: TITLE },
    {
      case: 'surrounding whitespace, trimmed',
      value: '  abc \n\t',
      bounds: TITLE,
      expected: 'abc',
    },
    { case: 'exactly the maximum', value: 'abcde', bounds: TITLE },
    { case: 'exactly the minimum', value: 'a', bounds: TITLE },
    { case: 'five emoji as five characters', value: '😀😀😀😀😀', bounds: TITLE },
    { case: 'astral letters as one character each', value: '𝒜𝒝𝒞𝒟𝒠', bounds: TITLE },
    { case: 'whitespace kept when trim is off', value: '  ab ', bounds: UNTRIMMED },
    { case: 'empty when the minimum is 0', value: '', bounds: UNTRIMMED },
  ])('accepts $case, answering it unchanged unless trimmed', ({ value, bounds, expected }) => {
    // Act
    const result = boundedText('title', value, bounds);

    // Assess
    expect(result).toBe(expected ?? value);
  });

  it.each([
    { case: 'an empty value', value: '', bounds: TITLE, message: 'must not be empty' },
    { case: 'only whitespace', value: ' \t\n ', bounds: TITLE, message: 'must not be empty' },
    {
      case: 'one character too many',
      value: 'abcdef',
      bounds: TITLE,
      message: 'must be at most 5 characters',
    },
    {
      case: 'six emoji against a maximum of five',
      value: '😀😀😀😀😀😀',
      bounds: TITLE,
      message: 'must be at most 5 characters',
    },
    {
      case: 'too short for a minimum above 1',
      value: 'ab',
      bounds: { min: 3, max: 5, trim: true },
      message: 'must be at least 3 characters',
    },
    {
      case: 'trailing whitespace counted when trim is off',
      value: 'abcd  ',
      bounds: UNTRIMMED,
      message: 'must be at most 5 characters',
    },
  ])('rejects $case', ({ value, bounds, message }) => {
    // Act
    const error = errorOf(() => boundedText('title', value, bounds));

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'INVALID_FIELD', issues: [{ path: 'title', message }] });
  });

  it('counts an emoji once although it is two UTF-16 units', () => {
    // Prepare
    const emoji = '🎉';

    // Act
    const result = boundedText('label', emoji, { min: 1, max: 1, trim: true });

    // Assess
    expect(emoji).toHaveLength(2);
    expect(result).toBe(emoji);
  });

  it('reports the path it was given', () => {
    // Act
    const error = errorOf(() => boundedText('labels.3', '', { min: 1, max: 50, trim: true }));

    // Assess
    expect(error).toMatchObject({ issues: [{ path: 'labels.3', message: 'must not be empty' }] });
  });
});

describe('pathsWithNul', () => {
  it('names every string holding a NUL, however deep, and nothing else', () => {
    expect(
      pathsWithNul({
        title: 'a\u0000b',
        fine: 'no nul here',
        labels: ['ok', '\u0000'],
        nested: { deeper: [{ text: 'x\u0000' }], count: 3, flag: null },
      }),
    ).toEqual(['title', 'labels.1', 'nested.deeper.0.text']);
  });

  it('prefixes the paths with the root given, and answers [] for clean or non-text input', () => {
    expect(pathsWithNul({ t: '\u0000' }, 'detail')).toEqual(['detail.t']);
    expect(pathsWithNul('\u0000', 'q')).toEqual(['q']);
    expect(pathsWithNul({ a: 'b', c: [1, true, null] })).toEqual([]);
    expect(pathsWithNul(undefined)).toEqual([]);
  });
});
