export * from './user.use-cases';
export * from './sample-users.use-case';
