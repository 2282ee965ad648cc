/** Test beds for the Lambda handler specs: a migrated database, the function's environment and its built bundle. */
export * from './function-testbed';
