/** The tasks context's domain: the Task and Comment aggregates, task fields and history, and the repository ports. */
export * from './task.events';
export * from './task-fields';
export * from './task.aggregate';
export * from './comment.aggregate';
export * from './task-history';
export * from './task.repository';
