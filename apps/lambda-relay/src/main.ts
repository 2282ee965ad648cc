import { openLambdaRuntime } from '@taskflow/app-composition';
import {
  createTelemetry,
  lambdaHandler,
  LAMBDA_NEEDS,
  loadLambdaConfig,
} from '@taskflow/platform-lambda-runtime';
import type { SweepResult } from '@taskflow/platform-relay';
import type { Context, ScheduledEvent } from 'aws-lambda';

/** Time kept back from the function's timeout to finish the round in flight and report. */
export const SAFETY_MARGIN_MS = 10_000;

/** What one scheduled run did. */
export interface RelayRun extends SweepResult {
  readonly rounds: number;
  /** Age of the oldest event still unpublished after the run (0 when none). */
  readonly lagMs: number;
  /** True when the run stopped for time with events possibly still due: the next run goes on. */
  readonly outOfTime: boolean;
}

/**
 * The outbox sweeper, run on a schedule (every minute): publishes every event the API and
 * processor fast paths left behind (crash, throttling, failed publish) with per-event backoff.
 * Runs may overlap: claims are leased (SKIP LOCKED), so no event is published twice normally.
 */
export const { handler, ready } = lambdaHandler(
  () =>
    openLambdaRuntime(loadLambdaConfig(process.env, LAMBDA_NEEDS.relay), createTelemetry('relay')),
  async (runtime, _event: ScheduledEvent, context: Context): Promise<RelayRun> => {
    const { relay, telemetry } = runtime;
    if (relay === null) throw new Error('the relay function needs EVENT_BUS_NAME');
    const swept = await relay.sweepWhile(
      () => context.getRemainingTimeInMillis() > SAFETY_MARGIN_MS,
    );
    const run = { ...swept, lagMs: await relay.measureLag() };
    telemetry.logger.info('outbox swept', { ...run });
    return run;
  },
);
