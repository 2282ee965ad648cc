export * from './request-context';
export * from './transaction-runner';
export * from './idempotency.store';
export * from './retry';
export * from './event-publisher';
export * from './outbox.store';
