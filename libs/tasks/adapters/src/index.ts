/** The tasks context's adapters: its PostgreSQL repository with its migration steps, and its HTTP routes with their schemas. */
export {};
export * from './pg-task.repository';
export * from './pg-comment.repository';
export * from './tasks.migration-steps';
