export * from './user.use-cases';
