/** The users context's domain: the User aggregate, the Email value object and the repository port. */
export * from './user.events';
export * from './email.value-object';
export * from './user.aggregate';
export * from './user.repository';
