export * from './event-pattern.matcher';
export * from './event-rules';
export * from './bus-event';
export * from './delivery-failure';
export * from './dead-letter.store';
export * from './processed-event.store';
