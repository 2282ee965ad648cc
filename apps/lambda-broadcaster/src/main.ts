import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { WebSocketBroadcaster } from '@taskflow/platform-live-updates';
import { TASKFLOW_EVENTS, openLambdaPersistence } from '@taskflow/app-composition';
import {
  createTelemetry,
  lambdaHandler,
  LAMBDA_NEEDS,
  loadLambdaConfig,
  loadTracing,
} from '@taskflow/platform-lambda-runtime';
import { systemClock } from '@taskflow/platform-kernel';
import {
  ApiGatewayConnectionSender,
  type BroadcastEvent,
  createApiGatewayManagementClient,
  handleBroadcast,
} from '@taskflow/platform-websocket';

/**
 * Target of the rule matching Taskflow's own events: posts each event to the WebSocket
 * connections of its project that this region's API holds, drops gone ones, and closes a
 * removed member's connections after telling them. Failures for single connections are
 * counted, not retried (a retry would resend the event to everyone); an invalid event or a
 * database failure throws, so the platform retries it and then dead-letters it.
 */
export const { handler, ready } = lambdaHandler(
  async () => {
    const config = loadLambdaConfig(process.env, LAMBDA_NEEDS.broadcaster);
    const telemetry = createTelemetry('broadcaster');
    const tracing = await loadTracing(config.tracing);
    const persistence = await openLambdaPersistence(config, tracing);
    const client = tracing.client(
      createApiGatewayManagementClient({
        endpoint: config.websocketCallbackUrl ?? '',
        region: config.region,
      }),
    );
    const broadcaster = new WebSocketBroadcaster(
      // Only this region's connections: another region's answer 410 Gone at this region's
      // endpoint, and pruning them would cut that region's clients off.
      persistence.connections.inRegion(config.region),
      new ApiGatewayConnectionSender(client),
      systemClock,
      {},
      (failure) => {
        telemetry.logger.warn('connection not reached', {
          connectionId: failure.connectionId,
          stage: failure.stage,
          error: failure.error,
        });
      },
    );
    return { telemetry, persistence, broadcaster };
  },
  async ({ telemetry, broadcaster }, event: BroadcastEvent) => {
    const { logger, metrics } = telemetry;
    logger.setCorrelationId((event as Partial<BroadcastEvent>).id);
    const outcome = await handleBroadcast(event, { broadcaster, events: TASKFLOW_EVENTS });
    metrics.addMetric('BroadcastSent', MetricUnit.Count, outcome.sent);
    metrics.addMetric('BroadcastGone', MetricUnit.Count, outcome.gone);
    metrics.addMetric('BroadcastFailed', MetricUnit.Count, outcome.failed);
    logger.info('broadcast', { ...outcome });
    return outcome;
  },
);
