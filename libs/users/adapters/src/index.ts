/** The users context's adapters: its PostgreSQL repository with its migration steps, and its HTTP routes with their schemas. */
export {};
export * from './pg-user.repository';
export * from './users.migration-steps';
