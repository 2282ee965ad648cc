export * from './postgres/test-database';
export * from './fakes';
export * from './eventbridge/fake-eventbridge.server';
export * from './secrets-manager/fake-secrets-manager.server';
export * from './websocket/fake-api-gateway-management.server';
export * from './lambda';
export * from './random/seeded-random';
export * from './net/freezing-proxy';
