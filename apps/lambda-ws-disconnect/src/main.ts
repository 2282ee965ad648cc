import { openLambdaPersistence } from '@taskflow/app-composition';
import { lambdaApp, logLifecycle } from '@taskflow/platform-lambda-runtime';
import { systemClock } from '@taskflow/platform-kernel';
import { type WebSocketLifecycleEvent, handleDisconnect } from '@taskflow/platform-websocket';
import type { APIGatewayProxyResult } from 'aws-lambda';

/**
 * `$disconnect` of the WebSocket API: forgets the connection, and purges a batch of expired
 * ones (API Gateway does not always call `$disconnect`), so no scheduled clean-up is needed.
 */
export const { handler, ready } = lambdaApp(
  'ws-disconnect',
  async (config, telemetry) => ({ telemetry, persistence: await openLambdaPersistence(config) }),
  ({ persistence, telemetry }, event: WebSocketLifecycleEvent): Promise<APIGatewayProxyResult> =>
    logLifecycle(telemetry, 'disconnect', event, () =>
      handleDisconnect(event, { connections: persistence.connections, clock: systemClock }),
    ),
);
