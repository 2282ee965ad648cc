/** The tasks context's adapters: its PostgreSQL repository with its migration steps, and its HTTP routes with their schemas. */
export {};
export * from './http/task.routes';
export * from './http/comment.routes';
export * from './http/task.openapi';
