import { ConflictError, StaleVersionError } from '@taskflow/platform-kernel';
import { MAX_OPTIMISTIC_ATTEMPTS, retryOnStaleVersion } from './retry';

/** An attempt that fails with the given errors, in order, then answers `result`. */
function failingThen<T>(
  errors: readonly Error[],
  result: T,
): { attempt: () => Promise<T>; calls: () => number } {
  let calls = 0;
  return {
    attempt: () => {
      const error = errors[calls];
      calls += 1;
      return error === undefined ? Promise.resolve(result) : Promise.reject(error);
    },
    calls: () => calls,
  };
}

const stale = (): StaleVersionError => new StaleVersionError(1, null);

describe('retryOnStaleVersion', () => {
  it('answers the first attempt that succeeds, without retrying', async () => {
    // Prepare
    const { attempt, calls } = failingThen([], 'done');

    // Act
    const result = await retryOnStaleVersion(attempt);

    // Assess
    expect(result).toBe('done');
    expect(calls()).toBe(1);
  });

  it.each([{ losses: 1 }, { losses: 2 }, { losses: 5 }])(
    'runs again after each of $losses lost version races, then answers',
    async ({ losses }) => {
      // Prepare
      const { attempt, calls } = failingThen(Array.from({ length: losses }, stale), 'done');

      // Act
      const result = await retryOnStaleVersion(attempt);

      // Assess
      expect(result).toBe('done');
      expect(calls()).toBe(losses + 1);
    },
  );

  it('succeeds on the very last allowed attempt', async () => {
    // Prepare
    const { attempt, calls } = failingThen(
      Array.from({ length: MAX_OPTIMISTIC_ATTEMPTS - 1 }, stale),
      'last',
    );

    // Act
    const result = await retryOnStaleVersion(attempt);

    // Assess
    expect(result).toBe('last');
    expect(calls()).toBe(MAX_OPTIMISTIC_ATTEMPTS);
  });

  it(`gives up after ${MAX_OPTIMISTIC_ATTEMPTS} attempts, rethrowing the last StaleVersionError`, async () => {
    // Prepare
    const errors = Array.from({ length: MAX_OPTIMISTIC_ATTEMPTS + 10 }, stale);
    const { attempt, calls } = failingThen(errors, 'never');

    // Act
    const outcome = retryOnStaleVersion(attempt);

    // Assess
    await expect(outcome).rejects.toBe(errors[MAX_OPTIMISTIC_ATTEMPTS - 1]);
    expect(calls()).toBe(MAX_OPTIMISTIC_ATTEMPTS);
  });

  it.each([
    { case: 'a domain error', error: new ConflictError('LAST_OWNER', 'keep one owner') },
    { case: 'a programmer error', error: new TypeError('boom') },
  ])('does not retry $case', async ({ error }) => {
    // Prepare
    const { attempt, calls } = failingThen([error], 'never');

    // Act
    const outcome = retryOnStaleVersion(attempt);

    // Assess
    await expect(outcome).rejects.toBe(error);
    expect(calls()).toBe(1);
  });

  it('stops retrying at the first error that is not a lost race', async () => {
    // Prepare
    const conflict = new ConflictError('ALREADY_MEMBER', 'already a member');
    const { attempt, calls } = failingThen([stale(), stale(), conflict], 'never');

    // Act
    const outcome = retryOnStaleVersion(attempt);

    // Assess
    await expect(outcome).rejects.toBe(conflict);
    expect(calls()).toBe(3);
  });
});
