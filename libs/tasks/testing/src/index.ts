/** In-memory fakes of the tasks context's ports, for use-case and adapter tests. */
export {};
