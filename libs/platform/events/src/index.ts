export * from './vocabulary';
export * from './event-definitions';
export * from './event-envelope';
export * from './event-json-schemas';
