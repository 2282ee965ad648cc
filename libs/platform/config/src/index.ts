/** The one configuration schema: every environment variable, its default and its rules, parsed once for the host and each Lambda. */
export * from './config.error';
export * from './config.schema';
export * from './config.rules';
export * from './config-table';
export * from './cors-origins.schema';
export * from './lambda-needs';
export * from './parse-environment';
export * from './settings';
