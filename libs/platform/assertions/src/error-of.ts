/**
 * What `act` throws; the test fails when it returns instead. Lets a test assert on the error's
 * class and fields (`code`, `field`) rather than on its message alone.
 */
export function errorOf(act: () => unknown): unknown {
  let result: unknown;
  try {
    result = act();
  } catch (error) {
    return error;
  }
  throw new Error(`expected the call to throw, but it returned ${JSON.stringify(result)}`);
}
