/** The projects context's adapters: its PostgreSQL repository with its migration steps, and its HTTP routes with their schemas. */
export {};
export * from './pg-project.repository';
export * from './projects.migration-steps';
