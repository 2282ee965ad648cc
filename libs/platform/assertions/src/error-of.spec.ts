import { errorOf } from './error-of';

describe('errorOf', () => {
  it('returns what the call throws', () => {
    const thrown = new RangeError('out of range');

    expect(
      errorOf(() => {
        throw thrown;
      }),
    ).toBe(thrown);
  });

  it('fails, naming the result, when the call returns', () => {
    expect(() => errorOf(() => ({ id: 1 }))).toThrow(
      'expected the call to throw, but it returned {"id":1}',
    );
  });
});
