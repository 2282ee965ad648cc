import { openLambdaRuntime } from '@taskflow/app-composition';
import { lambdaApp, logLifecycle } from '@taskflow/platform-lambda-runtime';
import { type WebSocketLifecycleEvent, handleConnect } from '@taskflow/platform-websocket';
import type { APIGatewayProxyResult } from 'aws-lambda';

/**
 * `$connect` of the WebSocket API: admits a member to a project's live events with the same
 * rules as the SSE stream (bearer token or one-minute ticket, current membership), then keeps
 * the connection in PostgreSQL, with this region, for this region's broadcaster. A refusal
 * answers the gate's problem document and status, and API Gateway refuses the upgrade.
 */
export const { handler, ready } = lambdaApp(
  'ws-connect',
  async (config, telemetry) => {
    const runtime = await openLambdaRuntime(config, telemetry);
    // The table is shared by both regions of a two-region deployment; only this region's
    // broadcaster can reach a connection of this region's API, so the row records the region.
    const connections = runtime.persistence.connections.inRegion(runtime.config.region);
    return { ...runtime, connections };
  },
  (runtime, event: WebSocketLifecycleEvent): Promise<APIGatewayProxyResult> => {
    const { persistence, core, telemetry, connections } = runtime;
    return logLifecycle(telemetry, 'connect', event, () =>
      handleConnect(event, {
        gate: core.gate,
        connections,
        membership: {
          isMember: async (projectId, userId) =>
            (await persistence.projects.accessFor(projectId, [userId]))?.isMember(userId) ?? false,
        },
      }),
    );
  },
);
