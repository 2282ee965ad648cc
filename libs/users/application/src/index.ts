/** The users context's use cases: register users, look them up, provide sample users. */
export * from './user.use-cases';
export * from './sample-users.use-case';
