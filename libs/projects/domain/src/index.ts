export * from './project-access';
export * from './project.aggregate';
export * from './project.repository';
