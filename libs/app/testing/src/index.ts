export * from './function-testbed';
