/** In-memory fakes of the users context's ports, for use-case and adapter tests. */
export * from './in-memory-user.repository';
export * from './in-memory-user.ports';
