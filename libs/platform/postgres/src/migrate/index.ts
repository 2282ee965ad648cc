/** Schema migrations through TypeORM: imported only where a schema is migrated. */
export * from './migrate-database';
