/** What every Lambda function stands on: configuration, secrets, database targets, tracing and telemetry. */
export * from './config';
export * from './telemetry';
export * from './tracing';
export * from './runtime';
export * from './secret-reader';
export * from './database-access';
export * from './lambda-app';
