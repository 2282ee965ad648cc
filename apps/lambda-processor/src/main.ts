import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createTaskProcessor, openLambdaRuntime } from '@taskflow/app-composition';
import {
  createTelemetry,
  lambdaHandler,
  LAMBDA_NEEDS,
  loadLambdaConfig,
} from '@taskflow/platform-lambda-runtime';
import {
  EventProcessingError,
  type ProcessingOutcome,
  type TaskProcessor,
} from '@taskflow/tasks-inbound';
import type { EventBridgeEvent } from 'aws-lambda';

/**
 * The task processor: target of the rule matching inbound task commands (`task.management`).
 * Idempotent on the EventBridge event id. An event that fails throws with its reason, so that
 * Lambda retries it and then sends it to the function's dead-letter queue.
 */
export const { handler, ready } = lambdaHandler<
  Awaited<ReturnType<typeof openLambdaRuntime>> & { readonly processor: TaskProcessor },
  EventBridgeEvent<string, unknown>,
  ProcessingOutcome
>(
  async () => {
    const config = loadLambdaConfig(process.env, LAMBDA_NEEDS.processor);
    const runtime = await openLambdaRuntime(config, createTelemetry('processor'));
    return {
      ...runtime,
      processor: createTaskProcessor(runtime.core, runtime.persistence, config.processor),
    };
  },
  async (runtime, event) => {
    const { logger, metrics } = runtime.telemetry;
    // Whatever arrived is logged as it is: the processor itself validates the event.
    const received = event as Partial<EventBridgeEvent<string, unknown>> | null;
    logger.setCorrelationId(received?.id);
    logger.appendKeys({ detailType: received?.['detail-type'], source: received?.source });
    try {
      const outcome = await runtime.processor.process(event);
      metrics.addMetric(
        outcome.duplicate ? 'EventsDuplicate' : 'EventsProcessed',
        MetricUnit.Count,
        1,
      );
      logger.info(outcome.duplicate ? 'event already processed' : 'event processed', {
        ...outcome,
      });
      return outcome;
    } catch (error) {
      const retryable = !(error instanceof EventProcessingError) || error.retryable;
      metrics.addMetric(retryable ? 'EventsFailed' : 'EventsRejected', MetricUnit.Count, 1);
      logger.error('event not processed', {
        reason: error instanceof Error ? error.message : String(error),
        code: error instanceof EventProcessingError ? error.code : 'UNEXPECTED',
        retryable,
      });
      throw error;
    }
  },
);
