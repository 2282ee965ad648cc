/**
 * The test-database kit of every integration spec (`@taskflow/platform-postgres/testing`, never
 * imported by production code): open and migrate a test database, give a `describe` its own,
 * probe what was written with raw SQL, and hold transactions open.
 */
export * from './open-test-database';
export * from './use-test-database';
export * from './sql-probes';
export * from './async';
export * from './actors';
export * from './dsql-migration';
