/** Processes inbound task.management commands from EventBridge into the tasks use cases, idempotently. */
export * from './event-processing.error';
export * from './task-command.schema';
export * from './task.processor';
