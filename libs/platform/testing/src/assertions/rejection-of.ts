/**
 * What `promise` rejects with; the test fails when it resolves instead. Lets a test assert on
 * the error's class and fields (an SDK exception's `$metadata`) rather than on its message.
 */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}
