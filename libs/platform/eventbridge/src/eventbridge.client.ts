import { EventBridgeClient, type EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';

/** Options of {@link createEventBridgeClient}. */
export interface EventBridgeClientOptions {
  /** AWS Region of the event bus, e.g. `eu-west-1`. */
  readonly region: string;
  /**
   * Endpoint override, e.g. a VPC interface endpoint's DNS name or a local fake
   * (`http://127.0.0.1:4010`); the Region's public endpoint when absent.
   */
  readonly endpoint?: string;
  /** Explicit credentials (a local fake wants dummy ones); the default provider chain when absent. */
  readonly credentials?: EventBridgeClientConfig['credentials'];
}

/**
 * Builds the EventBridge client `EventBridgePublisher` expects: the SDK's own retries are off
 * (`maxAttempts: 1`), so that the publisher's backoff is the only one in control. SDK retries
 * underneath would multiply the publisher's attempt budget (each publisher attempt becoming up to
 * three calls), add sleeps the publisher neither sees nor can inject in tests, and draw on the
 * SDK's process-wide retry quota, which makes behaviour depend on earlier, unrelated calls.
 */
export function createEventBridgeClient(options: EventBridgeClientOptions): EventBridgeClient {
  return new EventBridgeClient({
    region: options.region,
    maxAttempts: 1,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
}
