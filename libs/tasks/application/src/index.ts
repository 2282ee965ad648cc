export * from './task.use-cases';
