import { isUuid, uuidV7Generator } from './id-generator';

describe('isUuid', () => {
  it.each<[string, string, boolean]>([
    ['a version 7 UUID', '0190a5f2-7c3e-7abc-8def-0123456789ab', true],
    ['a version 4 UUID', '9b2c3c1e-1d6f-4e1b-9a3f-2f0b7b1a6c5d', true],
    ['a version 1 UUID', 'c232ab00-9414-11ec-b3c8-9e6bdeced846', true],
    ['upper case', '0190A5F2-7C3E-7ABC-8DEF-0123456789AB', true],
    ['the nil UUID', '00000000-0000-0000-0000-000000000000', false],
    ['an empty string', '', false],
    ['plain text', 'not-a-uuid', false],
    ['no hyphens', '0190a5f27c3e7abc8def0123456789ab', false],
    ['braces', '{0190a5f2-7c3e-7abc-8def-0123456789ab}', false],
    ['surrounding whitespace', ' 0190a5f2-7c3e-7abc-8def-0123456789ab', false],
    ['a version digit of 9', '0190a5f2-7c3e-9abc-8def-0123456789ab', false],
    ['a non-RFC variant', '0190a5f2-7c3e-7abc-cdef-0123456789ab', false],
    ['a non-hex digit', '0190a5f2-7c3e-7abc-8def-0123456789ag', false],
    ['one digit too few', '0190a5f2-7c3e-7abc-8def-0123456789a', false],
  ])('answers for %s (%s) whether it is a UUID: %s', (_case, value, valid) => {
    // Act
    const result = isUuid(value);

    // Assess
    expect(result).toBe(valid);
  });
});

describe('uuidV7Generator', () => {
  it('issues distinct version 7 UUIDs that sort in creation order', () => {
    // Act
    const ids = Array.from({ length: 200 }, () => uuidV7Generator.next());

    // Assess
    expect(ids.every(isUuid)).toBe(true);
    expect(ids.every((id) => id[14] === '7')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});
