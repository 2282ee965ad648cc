import { openLambdaPersistence } from '@taskflow/app-composition';
import {
  createTelemetry,
  lambdaHandler,
  LAMBDA_NEEDS,
  loadLambdaConfig,
} from '@taskflow/platform-lambda-runtime';
import { systemClock } from '@taskflow/platform-kernel';
import { type WebSocketLifecycleEvent, handleDisconnect } from '@taskflow/platform-websocket';
import type { APIGatewayProxyResult } from 'aws-lambda';

/**
 * `$disconnect` of the WebSocket API: forgets the connection, and purges a batch of expired
 * ones (API Gateway does not always call `$disconnect`), so no scheduled clean-up is needed.
 */
export const { handler, ready } = lambdaHandler(
  async () => ({
    telemetry: createTelemetry('ws-disconnect'),
    persistence: await openLambdaPersistence(
      loadLambdaConfig(process.env, LAMBDA_NEEDS['ws-disconnect']),
    ),
  }),
  async (
    { persistence, telemetry },
    event: WebSocketLifecycleEvent,
  ): Promise<APIGatewayProxyResult> => {
    telemetry.logger.setCorrelationId(event.requestContext.requestId);
    const result = await handleDisconnect(event, {
      connections: persistence.connections,
      clock: systemClock,
    });
    telemetry.logger.info('disconnect', {
      connectionId: event.requestContext.connectionId,
      status: result.statusCode,
    });
    return result;
  },
);
