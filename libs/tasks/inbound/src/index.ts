export * from './event-processing.error';
export * from './task-command.schema';
export * from './task.processor';
