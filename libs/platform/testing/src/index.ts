/** Test support every context shares: test databases, fake AWS endpoints, clocks, id generators and platform fakes. */
export * from './postgres/test-database';
export * from './fakes';
export * from './catalog/test-events';
export * from './assertions/rejection-of';
export * from './eventbridge/fake-eventbridge.server';
export * from './secrets-manager/fake-secrets-manager.server';
export * from './websocket/fake-api-gateway-management.server';
export * from './lambda';
export * from './random/seeded-random';
export * from './net/freezing-proxy';
export * from '@taskflow/platform-assertions';
export * from './samples';
export * from './tables/in-memory-table';
export * from './errors/domain-errors';
