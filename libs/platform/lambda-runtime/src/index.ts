export * from './config';
export * from './telemetry';
export * from './tracing';
export * from './runtime';
export * from './secret-reader';
export * from './database-access';
