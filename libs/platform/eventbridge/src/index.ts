/** Publishes serialized events to Amazon EventBridge in batches, with retries and partial-failure handling. */
export * from './eventbridge.publisher';
export * from './eventbridge.client';
export * from './put-events.limits';
export * from './put-events.errors';
export * from './backoff';
export * from './retry-options';
