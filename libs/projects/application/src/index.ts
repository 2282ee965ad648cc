/** The projects context's use cases: create projects, manage members and their roles. */
export * from './project.use-cases';
