import {
  ApiGatewayManagementApiClient,
  type ApiGatewayManagementApiClientConfig,
  DeleteConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConnectionSender, PostOutcome } from '@taskflow/platform-live-updates';

/** How long one management call may take unless configured otherwise. */
export const DEFAULT_MANAGEMENT_TIMEOUT_MS = 3_000;
/** Attempts of one management call (the SDK retries throttling and 5xx) unless configured otherwise. */
export const DEFAULT_MANAGEMENT_MAX_ATTEMPTS = 2;

const EXECUTE_API_HOST = /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** Options of {@link createApiGatewayManagementClient}. */
export interface ApiGatewayManagementClientOptions {
  /**
   * The WebSocket API's callback URL: `https://{apiId}.execute-api.{region}.amazonaws.com/{stage}`
   * (or `https://{custom domain}/{base path}`, or a local fake).
   */
  readonly endpoint: string;
  /** The API's Region; read from an `execute-api` endpoint when absent, required otherwise. */
  readonly region?: string;
  /** Explicit credentials (a local fake wants dummy ones); the default provider chain when absent. */
  readonly credentials?: ApiGatewayManagementApiClientConfig['credentials'];
  /** Attempts per call, the first included (≥ 1); {@link DEFAULT_MANAGEMENT_MAX_ATTEMPTS} unless given. */
  readonly maxAttempts?: number;
  /** How long one attempt may take; {@link DEFAULT_MANAGEMENT_TIMEOUT_MS} unless given. */
  readonly timeoutMs?: number;
}

/**
 * The callback URL of a WebSocket API stage, from the `domainName` and `stage` of any of its
 * events' `requestContext`.
 */
export function callbackUrlOf(domainName: string, stage: string): string {
  if (domainName.trim() === '') throw new RangeError('domainName must not be empty');
  if (stage.trim() === '') throw new RangeError('stage must not be empty');
  return `https://${domainName}/${encodeURIComponent(stage)}`;
}

/**
 * Builds the management API client of one WebSocket API stage. A short timeout per call keeps
 * one stalled connection from holding a broadcast until the Lambda times out.
 *
 * @throws RangeError naming the option at fault (`endpoint`, `region`, `maxAttempts`,
 *   `timeoutMs`).
 */
export function createApiGatewayManagementClient(
  options: ApiGatewayManagementClientOptions,
): ApiGatewayManagementApiClient {
  let url: URL;
  try {
    url = new URL(options.endpoint);
  } catch {
    throw new RangeError(`endpoint: not a URL: ${JSON.stringify(options.endpoint)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RangeError(`endpoint: must be an http(s) URL, got ${url.protocol}`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new RangeError('endpoint: must not have a query string or fragment');
  }
  const region = options.region ?? EXECUTE_API_HOST.exec(url.hostname)?.[1];
  if (region === undefined || region.trim() === '') {
    throw new RangeError(
      `region: required when the endpoint is not an execute-api URL (${url.hostname})`,
    );
  }
  const maxAttempts = options.maxAttempts ?? DEFAULT_MANAGEMENT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`maxAttempts: must be an integer ≥ 1, got ${String(maxAttempts)}`);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_MANAGEMENT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new RangeError(`timeoutMs: must be an integer ≥ 1, got ${String(timeoutMs)}`);
  }
  return new ApiGatewayManagementApiClient({
    region,
    endpoint: options.endpoint.replace(/\/+$/, ''),
    maxAttempts,
    requestHandler: {
      requestTimeout: timeoutMs,
      connectionTimeout: timeoutMs,
      throwOnRequestTimeout: true,
    },
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
}

/** A management call that failed for another reason than the connection being gone. */
export class ConnectionSendError extends Error {
  constructor(
    readonly operation: 'PostToConnection' | 'DeleteConnection',
    readonly connectionId: string,
    /** The service's error name (`LimitExceededException`...) or the client's (`TimeoutError`...). */
    readonly errorType: string,
    options: { cause: unknown },
  ) {
    super(
      `${operation} ${connectionId} failed: ${errorType}: ${messageOf(options.cause)}`,
      options,
    );
    this.name = 'ConnectionSendError';
  }
}

/**
 * Sends to the connections of one API Gateway WebSocket API stage through its management API
 * (`@connections`). A `GoneException` means the client has left (or its `$connect` has not
 * returned yet): a post answers `'gone'`, a close takes it as done. Any other failure rejects
 * with a {@link ConnectionSendError}.
 */
export class ApiGatewayConnectionSender implements ConnectionSender {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  async post(connectionId: string, data: string): Promise<PostOutcome> {
    try {
      await this.client.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }),
      );
      return 'sent';
    } catch (error) {
      if (isGone(error)) return 'gone';
      throw new ConnectionSendError('PostToConnection', connectionId, nameOf(error), {
        cause: error,
      });
    }
  }

  async close(connectionId: string): Promise<void> {
    try {
      await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      if (isGone(error)) return;
      throw new ConnectionSendError('DeleteConnection', connectionId, nameOf(error), {
        cause: error,
      });
    }
  }
}

function isGone(error: unknown): boolean {
  // By name rather than instanceof: a bundle may hold two copies of the SDK's error classes.
  return nameOf(error) === 'GoneException';
}

function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
