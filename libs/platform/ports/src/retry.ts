import { StaleVersionError } from '@taskflow/platform-kernel';

/** How many times a command is re-run against fresh state after losing a version race. */
export const MAX_OPTIMISTIC_ATTEMPTS = 64;

/** When {@link retrying} runs an attempt again. */
export interface RetryPolicy {
  /** Whether this failure may go away by running the attempt again. */
  readonly retryable: (error: unknown) => boolean;
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** Pause before round `round + 1`, in milliseconds (random: contenders spread out). */
  readonly pauseMs: (round: number) => number;
}

/**
 * Runs `attempt` again while it fails with an error the policy calls retryable; any other
 * failure, or the last one, is thrown.
 */
export async function retrying<T>(attempt: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let round = 1; ; round += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (round >= policy.attempts || !policy.retryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, policy.pauseMs(round)));
    }
  }
}

/**
 * Re-runs `attempt` against fresh state while it loses optimistic-concurrency races. The short
 * random pause spreads contenders out so that each round lets at least one of them through.
 */
export function retryOnStaleVersion<T>(attempt: () => Promise<T>): Promise<T> {
  return retrying(attempt, {
    retryable: (error) => error instanceof StaleVersionError,
    attempts: MAX_OPTIMISTIC_ATTEMPTS,
    pauseMs: (round) => Math.random() * Math.min(2 * round, 20),
  });
}
