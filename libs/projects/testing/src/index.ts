/** In-memory fakes of the projects context's ports, for use-case and adapter tests. */
export {};
