/** EventBridge rule patterns, their local matcher and the processed-event and dead-letter ports, shared by the local bus and the CDK app. */
export * from './event-pattern.matcher';
export * from './event-rules';
export * from './bus-event';
export * from './delivery-failure';
export * from './dead-letter.store';
export * from './processed-event.store';
