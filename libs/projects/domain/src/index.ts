/** The projects context's domain: the Project aggregate, membership and access rules, and its repository port. */
export * from './project.events';
export * from './project-access';
export * from './project.aggregate';
export * from './project.repository';
