/** The tasks context's use cases: create, change, assign, complete, delete and comment on tasks. */
export * from './task.use-cases';
