import { StaleVersionError } from '@taskflow/shared-kernel';

/** How many times a command is re-run against fresh state after losing a version race. */
export const MAX_OPTIMISTIC_ATTEMPTS = 64;

/**
 * Re-runs `attempt` against fresh state while it loses optimistic-concurrency races. The short
 * random pause spreads contenders out so that each round lets at least one of them through.
 */
export async function retryOnStaleVersion<T>(attempt: () => Promise<T>): Promise<T> {
  for (let round = 1; ; round += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof StaleVersionError) || round >= MAX_OPTIMISTIC_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 * round, 20)));
    }
  }
}
