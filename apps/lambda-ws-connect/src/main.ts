import { openLambdaRuntime } from '@taskflow/app-composition';
import {
  createTelemetry,
  lambdaHandler,
  LAMBDA_NEEDS,
  loadLambdaConfig,
} from '@taskflow/platform-lambda-runtime';
import { type WebSocketLifecycleEvent, handleConnect } from '@taskflow/platform-websocket';
import type { APIGatewayProxyResult } from 'aws-lambda';

/**
 * `$connect` of the WebSocket API: admits a member to a project's live events with the same
 * rules as the SSE stream (bearer token or one-minute ticket, current membership), then keeps
 * the connection in PostgreSQL, with this region, for this region's broadcaster. A refusal
 * answers the gate's problem document and status, and API Gateway refuses the upgrade.
 */
export const { handler, ready } = lambdaHandler(
  async () => {
    const runtime = await openLambdaRuntime(
      loadLambdaConfig(process.env, LAMBDA_NEEDS['ws-connect']),
      createTelemetry('ws-connect'),
    );
    // The table is shared by both regions of a two-region deployment; only this region's
    // broadcaster can reach a connection of this region's API, so the row records the region.
    const connections = runtime.persistence.connections.inRegion(runtime.config.region);
    return { ...runtime, connections };
  },
  async (runtime, event: WebSocketLifecycleEvent): Promise<APIGatewayProxyResult> => {
    const { persistence, core, telemetry, connections } = runtime;
    telemetry.logger.setCorrelationId(event.requestContext.requestId);
    const result = await handleConnect(event, {
      gate: core.gate,
      connections,
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
