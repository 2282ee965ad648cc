export * from './fixed.clock';
export * from './sequential-id.generator';
export * from './in-memory-outbox';
export { type ConcurrentWrite, InMemoryStore, type InMemoryStoreOptions } from './in-memory-store';
export * from './cursor';
export * from './in-memory-outbox.store';
export * from './in-memory-websocket';
export * from './counting-transaction.runner';
