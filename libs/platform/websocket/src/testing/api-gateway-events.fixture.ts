import { type EventEnvelope } from '@taskflow/platform-events';
import type { EventBridgeEvent } from 'aws-lambda';

/**
 * Events shaped as API Gateway and EventBridge really send them to a Lambda function (copied
 * from captured invocations, with ids and addresses replaced), for the handler specs.
 */

export {
  WEBSOCKET_API_ID as API_ID,
  WEBSOCKET_CONNECTED_AT as CONNECTED_AT,
  WEBSOCKET_DOMAIN_NAME as DOMAIN_NAME,
  WEBSOCKET_STAGE as STAGE,
  websocketConnectEvent as connectEvent,
  websocketDisconnectEvent as disconnectEvent,
} from '@taskflow/platform-testing';

/** An event as the rule `taskflow-domain-events` delivers it to the broadcaster. */
export function eventBridgeEvent(
  detail: unknown,
  detailType = 'Task Deleted',
): EventBridgeEvent<string, unknown> {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': detailType,
    source: 'taskflow.tasks',
    account: '123456789012',
    time: '2026-02-09T18:12:00Z',
    region: 'eu-west-1',
    resources: [],
    detail,
  };
}

/** The detail of an envelope as it travelled: JSON, so dates and the like are strings. */
export function asDetail(envelope: EventEnvelope): Record<string, unknown> {
  return JSON.parse(JSON.stringify(envelope)) as Record<string, unknown>;
}
