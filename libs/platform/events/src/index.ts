/** The event envelope, the generic event definition and catalog, and JSON Schema generation over a catalog. */
export * from './event-definitions';
export * from './event-envelope';
export * from './event-json-schemas';
export * from './aggregate-root';
