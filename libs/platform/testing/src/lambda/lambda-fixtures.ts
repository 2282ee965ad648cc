import { randomUUID } from 'node:crypto';
import type {
  APIGatewayEventWebsocketRequestContextV2,
  APIGatewayProxyEvent,
  APIGatewayProxyEventHeaders,
  APIGatewayProxyEventMultiValueHeaders,
  APIGatewayProxyWebsocketEventV2WithRequestContext,
  CdkCustomResourceEvent,
  Context,
  EventBridgeEvent,
  ScheduledEvent,
} from 'aws-lambda';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

/** A Lambda context as the runtime passes it, with a remaining-time clock. */
export function lambdaContext(
  functionName = 'taskflow-test',
  options: { readonly timeoutMs?: number } = {},
): Context {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2026/11/24/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    // Deprecated callbacks the Context type still declares; nothing here calls them.
    /* eslint-disable @typescript-eslint/no-deprecated */
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    /* eslint-enable @typescript-eslint/no-deprecated */
  };
}

/** What an HTTP request to API Gateway carries. */
export interface ProxyRequest {
  readonly method: string;
  /** Path with query string, e.g. `/tasks?limit=5`. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/**
 * An API Gateway REST API proxy-integration event (`{proxy+}` resource), shaped as API Gateway
 * sends it: both header maps, both query maps (null when empty), a request context.
 */
export function apiGatewayProxyEvent(request: ProxyRequest): APIGatewayProxyEvent {
  const url = new URL(request.path, 'https://api.example.com');
  const headers: Record<string, string> = {
    Host: 'abc123.execute-api.eu-west-1.amazonaws.com',
    'User-Agent': 'taskflow-tests',
    'X-Forwarded-Proto': 'https',
    ...(request.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    ...request.headers,
  };
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    (multiQuery[name] ??= []).push(value);
  }
  const requestId = randomUUID();
  return {
    resource: '/{proxy+}',
    path: url.pathname,
    httpMethod: request.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: url.search === '' ? null : query,
    multiValueQueryStringParameters: url.search === '' ? null : multiQuery,
    pathParameters: { proxy: url.pathname.replace(/^\//, '') },
    stageVariables: null,
    body:
      request.body === undefined
        ? null
        : typeof request.body === 'string'
          ? request.body
          : JSON.stringify(request.body),
    isBase64Encoded: false,
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'abc123',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '203.0.113.7',
        user: null,
        userAgent: 'taskflow-tests',
        userArn: null,
      },
      path: `/prod${url.pathname}`,
      stage: 'prod',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'res123',
      resourcePath: '/{proxy+}',
    },
  };
}

/** An event as an EventBridge rule delivers it to its Lambda target. */
export function eventBridgeEvent<TDetail>(
  source: string,
  detailType: string,
  detail: TDetail,
  id: string = randomUUID(),
): EventBridgeEvent<string, TDetail> {
  return {
    version: '0',
    id,
    'detail-type': detailType,
    source,
    account: ACCOUNT,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: REGION,
    resources: [],
    detail,
  };
}

/** An EventBridge schedule's invocation. */
export function scheduledEvent(): ScheduledEvent {
  return eventBridgeEvent('aws.events', 'Scheduled Event', {}) as ScheduledEvent;
}

/** A CloudFormation custom resource event as the CDK Provider framework passes it to onEvent. */
export function cdkCustomResourceEvent(
  requestType: 'Create' | 'Update' | 'Delete',
  physicalResourceId = 'taskflow-schema',
): CdkCustomResourceEvent {
  const common = {
    ServiceToken: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:provider-framework-onEvent`,
    ResponseURL: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/presigned',
    StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/taskflow/${randomUUID()}`,
    RequestId: randomUUID(),
    LogicalResourceId: 'Schema',
    ResourceType: 'Custom::TaskflowSchema',
    ResourceProperties: { ServiceToken: 'token', Version: '2' },
  };
  if (requestType === 'Create') return { ...common, RequestType: 'Create' };
  if (requestType === 'Update')
    return {
      ...common,
      RequestType: 'Update',
      PhysicalResourceId: physicalResourceId,
      OldResourceProperties: { ServiceToken: 'token', Version: '1' },
    };
  return { ...common, RequestType: 'Delete', PhysicalResourceId: physicalResourceId };
}

/** Where the WebSocket fixtures' API lives. */
export const WEBSOCKET_API_ID = 'abc123xyz0';
export const WEBSOCKET_STAGE = 'prod';
export const WEBSOCKET_DOMAIN_NAME = `${WEBSOCKET_API_ID}.execute-api.eu-west-1.amazonaws.com`;
/** When API Gateway accepted the connection of every WebSocket fixture event (epoch ms). */
export const WEBSOCKET_CONNECTED_AT = Date.parse('2026-02-09T18:11:43.419Z');

/**
 * A WebSocket `$connect` / `$disconnect` event of a Lambda proxy integration as API Gateway
 * sends it: `@types/aws-lambda`'s WebSocket event plus the handshake's headers (and without
 * `messageId`, which only messages carry).
 */
export type WebSocketLifecycleFixture = APIGatewayProxyWebsocketEventV2WithRequestContext<
  Omit<APIGatewayEventWebsocketRequestContextV2, 'messageId'> & {
    readonly identity?: { readonly sourceIp?: string; readonly userAgent?: string };
    readonly disconnectStatusCode?: number;
    readonly disconnectReason?: string;
  }
> & {
  readonly headers?: APIGatewayProxyEventHeaders;
  readonly multiValueHeaders?: APIGatewayProxyEventMultiValueHeaders;
};

/**
 * A `$connect` event of a WebSocket API's Lambda proxy integration. API Gateway leaves out the
 * query maps when the URL has no query string; `query` values that are arrays are repeated.
 */
export function websocketConnectEvent(
  options: {
    readonly connectionId?: string;
    readonly query?: Readonly<Record<string, string | readonly string[]>>;
    readonly headers?: Readonly<Record<string, string>>;
  } = {},
): WebSocketLifecycleFixture {
  const connectionId = options.connectionId ?? 'TWegAeXYIAMCE5Q=';
  const headers: Record<string, string> = {
    Host: WEBSOCKET_DOMAIN_NAME,
    'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
    'X-Amzn-Trace-Id': 'Root=1-65c66a5f-1b2c3d4e5f6a7b8c9d0e1f2a',
    'X-Forwarded-For': '192.0.2.1',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
    ...options.headers,
  };
  const query = Object.entries(options.query ?? {});
  return {
    headers,
    multiValueHeaders: Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name, [value]]),
    ),
    ...(query.length === 0
      ? {}
      : {
          queryStringParameters: Object.fromEntries(
            query.map(([name, value]) => [
              name,
              typeof value === 'string' ? value : (value[value.length - 1] ?? ''),
            ]),
          ),
          multiValueQueryStringParameters: Object.fromEntries(
            query.map(([name, value]) => [name, typeof value === 'string' ? [value] : [...value]]),
          ),
        }),
    requestContext: {
      routeKey: '$connect',
      eventType: 'CONNECT',
      extendedRequestId: 'TWegAGHsIAMFZ4w=',
      requestTime: '09/Feb/2026:18:11:43 +0000',
      messageDirection: 'IN',
      stage: WEBSOCKET_STAGE,
      connectedAt: WEBSOCKET_CONNECTED_AT,
      requestTimeEpoch: WEBSOCKET_CONNECTED_AT + 1,
      identity: { sourceIp: '192.0.2.1' },
      requestId: 'TWegAGHsIAMFZ4w=',
      domainName: WEBSOCKET_DOMAIN_NAME,
      connectionId,
      apiId: WEBSOCKET_API_ID,
    },
    isBase64Encoded: false,
  };
}

/** A `$disconnect` event (the client closed with 1001 Going Away). */
export function websocketDisconnectEvent(
  connectionId = 'TWegAeXYIAMCE5Q=',
): WebSocketLifecycleFixture {
  const headers = {
    Host: WEBSOCKET_DOMAIN_NAME,
    'x-api-key': '',
    'X-Forwarded-For': '',
    'x-restapi': '',
  };
  return {
    headers,
    multiValueHeaders: Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name, [value]]),
    ),
    requestContext: {
      routeKey: '$disconnect',
      disconnectStatusCode: 1001,
      eventType: 'DISCONNECT',
      extendedRequestId: 'TWfRDHSsoAMFx7g=',
      requestTime: '09/Feb/2026:18:20:02 +0000',
      messageDirection: 'IN',
      disconnectReason: 'Going away',
      stage: WEBSOCKET_STAGE,
      connectedAt: WEBSOCKET_CONNECTED_AT,
      requestTimeEpoch: WEBSOCKET_CONNECTED_AT + 499_000,
      identity: { sourceIp: '192.0.2.1', userAgent: 'Mozilla/5.0' },
      requestId: 'TWfRDHSsoAMFx7g=',
      domainName: WEBSOCKET_DOMAIN_NAME,
      connectionId,
      apiId: WEBSOCKET_API_ID,
    },
    isBase64Encoded: false,
  };
}
