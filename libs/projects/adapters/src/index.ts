/** The projects context's adapters: its PostgreSQL repository with its migration steps, and its HTTP routes with their schemas. */
export {};
export * from './http/project.routes';
export * from './http/project.openapi';
export * from './http/project-stream.access';
