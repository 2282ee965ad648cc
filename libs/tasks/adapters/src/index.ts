/** The tasks context's adapters: its PostgreSQL repositories with their migration steps, and its HTTP routes with their schemas. */
export * from './pg-task.repository';
export * from './pg-comment.repository';
export * from './tasks.migration-steps';
export * from './http/task.routes';
export * from './http/comment.routes';
export * from './http/task.openapi';
