/**
 * "Full jitter" exponential backoff: a uniformly random delay between 0 and
 * `min(maxDelayMs, baseDelayMs * 2^(retry - 1))`. Randomising the whole interval spreads out
 * publishers that were throttled together, so they do not come back in lockstep.
 *
 * @param retry - 1 for the first retry, 2 for the second...
 * @param random - a number in [0, 1), e.g. `Math.random()`.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function fullJitterDelay(
  retry: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number,
): number {
  // Capping the exponent keeps 2 ** n finite however many attempts are configured.
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(retry - 1, 30));
  return Math.floor(random() * ceiling);
}
