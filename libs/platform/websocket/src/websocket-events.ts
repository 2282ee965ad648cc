import type {
  APIGatewayEventWebsocketRequestContextV2,
  APIGatewayProxyEventHeaders,
  APIGatewayProxyEventMultiValueHeaders,
  APIGatewayProxyWebsocketEventV2WithRequestContext,
  EventBridgeEvent,
} from 'aws-lambda';

/**
 * The `requestContext` of a `$connect` or `$disconnect` event as API Gateway sends it. Unlike
 * `@types/aws-lambda`'s, `messageId` is optional (API Gateway sends it with messages only), and
 * a disconnect carries its close code and reason.
 */
export type WebSocketRequestContext = Omit<
  APIGatewayEventWebsocketRequestContextV2,
  'messageId'
> & {
  readonly messageId?: string;
  readonly identity?: { readonly sourceIp?: string; readonly userAgent?: string };
  readonly disconnectStatusCode?: number;
  readonly disconnectReason?: string;
};

/**
 * A WebSocket lifecycle event (`$connect`, `$disconnect`) of a Lambda proxy integration. The
 * `@types/aws-lambda` WebSocket event lacks the handshake's headers, which API Gateway sends on
 * `$connect`; any `APIGatewayProxyWebsocketEventV2` is one of these.
 */
export type WebSocketLifecycleEvent =
  APIGatewayProxyWebsocketEventV2WithRequestContext<WebSocketRequestContext> & {
    readonly headers?: APIGatewayProxyEventHeaders;
    readonly multiValueHeaders?: APIGatewayProxyEventMultiValueHeaders;
  };

/**
 * The parts of an EventBridge event the broadcaster reads. Both `EventBridgeEvent` of
 * `@types/aws-lambda` and the local bus's `BusEvent` are ones.
 */
export type BroadcastEvent = Readonly<
  Pick<EventBridgeEvent<string, unknown>, 'id' | 'source' | 'detail-type' | 'detail'>
>;

/** A lifecycle event that is not what the function was deployed for (a wiring mistake). */
export class InvalidWebSocketEventError extends Error {
  constructor(
    /** Dotted path of the field at fault, e.g. `requestContext.connectionId`. */
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'InvalidWebSocketEventError';
  }
}

/** The connection id and event type of a lifecycle event, checked. */
export function lifecycleOf(
  event: WebSocketLifecycleEvent,
  expected: 'CONNECT' | 'DISCONNECT',
): { readonly connectionId: string; readonly context: WebSocketRequestContext } {
  // Typed as the platform sends it; a hand-made invocation may still lack anything.
  const context = (event as { requestContext?: unknown }).requestContext;
  if (typeof context !== 'object' || context === null) {
    throw new InvalidWebSocketEventError('requestContext', 'missing');
  }
  const { connectionId, eventType } = context as Partial<Record<string, unknown>>;
  if (eventType !== expected) {
    throw new InvalidWebSocketEventError(
      'requestContext.eventType',
      `expected ${expected}, got ${eventType === undefined ? 'nothing' : JSON.stringify(eventType)}`,
    );
  }
  if (typeof connectionId !== 'string' || connectionId === '') {
    throw new InvalidWebSocketEventError('requestContext.connectionId', 'missing');
  }
  return { connectionId, context: context as WebSocketRequestContext };
}
