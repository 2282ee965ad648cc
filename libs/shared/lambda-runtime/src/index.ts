export * from './config';
export * from './telemetry';
export * from './runtime';
