/** The users context's adapters: its PostgreSQL repository with its migration steps, its HTTP routes (and the local host's development sign-in) and the identity resolver. */
export * from './pg-user.repository';
export * from './users.migration-steps';
export * from './http/user.routes';
export * from './http/dev-sign-in.routes';
export * from './http/user.openapi';
export * from './http/user-identity.resolver';
