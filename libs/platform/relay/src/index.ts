/** Moves committed outbox rows to the event publisher, in order, at least once. */
export * from './outbox-relay';
