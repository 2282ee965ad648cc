export * from './project.use-cases';
