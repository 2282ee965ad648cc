export * from './email.value-object';
export * from './user.aggregate';
export * from './user.repository';
