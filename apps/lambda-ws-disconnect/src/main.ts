import {
  createTelemetry,
  lambdaHandler,
  LAMBDA_NEEDS,
  loadLambdaConfig,
  openLambdaPersistence,
} from '@taskflow/lambda-runtime';
import { systemClock } from '@taskflow/shared-kernel';
import { type WebSocketLifecycleEvent, handleDisconnect } from '@taskflow/websocket';
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
