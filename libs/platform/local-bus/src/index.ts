/** An in-process event bus that applies the same rule patterns as EventBridge, for the local host. */
export * from './put-events';
export * from './local-event-bus';
