export * from './eventbridge.publisher';
export * from './eventbridge.client';
export * from './put-events.limits';
export * from './put-events.errors';
export * from './backoff';
