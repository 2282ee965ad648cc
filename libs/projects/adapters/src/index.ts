/** The projects context's adapters: its PostgreSQL repository with its migration steps, and its HTTP routes with their schemas. */
export * from './pg-project.repository';
export * from './projects.migration-steps';
export * from './http/project.routes';
export * from './http/project.openapi';
export * from './http/project-stream.access';
