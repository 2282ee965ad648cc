/** The event envelope, event definitions and the JSON Schemas generated from them. */
export * from './vocabulary';
export * from './event-definitions';
export * from './event-envelope';
export * from './event-json-schemas';
