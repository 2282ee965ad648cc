export * from './put-events';
export * from './local-event-bus';
