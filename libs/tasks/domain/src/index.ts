export * from './task-fields';
export * from './task.aggregate';
export * from './comment.aggregate';
export * from './task-history';
export * from './task.repository';
