export * from './config';
export * from './telemetry';
export * from './tracing';
export * from './runtime';
