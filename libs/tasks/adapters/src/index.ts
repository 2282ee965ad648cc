/** The tasks context's adapters: its PostgreSQL repository with its migration steps, and its HTTP routes with their schemas. */
export {};
