/** The application ports every use case writes through: transaction runner, outbox, idempotency, event publisher, request context. */
export * from './request-context';
export * from './transaction-runner';
export * from './idempotency.store';
export * from './retry';
export * from './event-publisher';
export * from './outbox.store';
