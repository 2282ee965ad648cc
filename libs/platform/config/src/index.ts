export * from './config.error';
export * from './config.schema';
export * from './config.rules';
export * from './config-table';
export * from './cors-origins.schema';
export * from './lambda-needs';
export * from './parse-environment';
