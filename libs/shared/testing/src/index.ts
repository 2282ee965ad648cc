export * from './postgres/test-database';
export * from './fakes';
export * from './eventbridge/fake-eventbridge.server';
