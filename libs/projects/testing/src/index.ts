/** In-memory fakes of the projects context's ports, for use-case and adapter tests. */
export * from './in-memory-project.repository';
export * from './in-memory-project.ports';
