import {
  createTelemetry,
  lambdaHandler,
  LAMBDA_NEEDS,
  loadLambdaConfig,
  openLambdaRuntime,
} from '@taskflow/lambda-runtime';
import { type WebSocketLifecycleEvent, handleConnect } from '@taskflow/websocket';
import type { APIGatewayProxyResult } from 'aws-lambda';

/**
 * `$connect` of the WebSocket API: admits a member to a project's live events with the same
 * rules as the SSE stream (bearer token or one-minute ticket, current membership), then keeps
 * the connection in PostgreSQL for the broadcaster. A refusal answers the gate's problem
 * document and status, and API Gateway refuses the upgrade.
 */
export const { handler, ready } = lambdaHandler(
  () =>
    openLambdaRuntime(
      loadLambdaConfig(process.env, LAMBDA_NEEDS['ws-connect']),
      createTelemetry('ws-connect'),
    ),
  async (runtime, event: WebSocketLifecycleEvent): Promise<APIGatewayProxyResult> => {
    const { persistence, core, telemetry } = runtime;
    telemetry.logger.setCorrelationId(event.requestContext.requestId);
    const result = await handleConnect(event, {
      gate: core.gate,
      connections: persistence.connections,
      membership: {
        isMember: async (projectId, userId) =>
          (await persistence.projects.accessFor(projectId, [userId]))?.isMember(userId) ?? false,
      },
    });
    telemetry.logger.info('connect', {
      connectionId: event.requestContext.connectionId,
      status: result.statusCode,
    });
    return result;
  },
);
