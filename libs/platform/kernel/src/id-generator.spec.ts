import { isUuid, uuidV7Generator } from './id-generator';

describe('isUuid', () => {
  it.each([
    { case: 'a version 7 UUID', value: '0190a5f2-7c3e-7abc-8def-0123456789ab' },
    { case: 'a version 4 UUID', value: '9b2c3c1e-1d6f-4e1b-9a3f-2f0b7b1a6c5d' },
    { case: 'a version 1 UUID', value: 'c232ab00-9414-11ec-b3c8-9e6bdeced846' },
    { case: 'upper case', value: '0190A5F2-7C3E-7ABC-8DEF-0123456789AB' },
  ])('accepts $case', ({ value }) => {
    // Act
    const result = isUuid(value);

    // Assess
    expect(result).toBe(true);
  });

  it.each([
    { case: 'the nil UUID', value: '00000000-0000-0000-0000-000000000000' },
    { case: 'an empty string', value: '' },
    { case: 'plain text', value: 'not-a-uuid' },
    { case: 'no hyphens', value: '0190a5f27c3e7abc8def0123456789ab' },
    { case: 'braces', value: '{0190a5f2-7c3e-7abc-8def-0123456789ab}' },
    { case: 'surrounding whitespace', value: ' 0190a5f2-7c3e-7abc-8def-0123456789ab' },
    { case: 'a version digit of 9', value: '0190a5f2-7c3e-9abc-8def-0123456789ab' },
    { case: 'a non-RFC variant', value: '0190a5f2-7c3e-7abc-cdef-0123456789ab' },
    { case: 'a non-hex digit', value: '0190a5f2-7c3e-7abc-8def-0123456789ag' },
    { case: 'one digit too few', value: '0190a5f2-7c3e-7abc-8def-0123456789a' },
  ])('rejects $case', ({ value }) => {
    // Act
    const result = isUuid(value);

    // Assess
    expect(result).toBe(false);
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
