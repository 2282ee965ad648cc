/** In-memory fakes of the tasks context's ports, and every context's fakes wired together. */
export * from './in-memory-task.repository';
export * from './in-memory-comment.repository';
export * from './in-memory-ports';
