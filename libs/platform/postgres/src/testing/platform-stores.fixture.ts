import { type IdGenerator, uuidV7Generator } from '@taskflow/platform-kernel';
import type { Database } from '../database';
import { PLATFORM_MIGRATION_STEPS } from '../migrations/migration-steps';
import { PgConnectionStore } from '../pg-connection.store';
import { PgDeadLetterStore } from '../pg-dead-letter.store';
import { PgIdempotencyStore } from '../pg-idempotency.store';
import { PgOutboxStore } from '../pg-outbox.store';
import { PgProcessedEventStore } from '../pg-processed-event.store';
import { type OverDatabase, openDsqlDialect, openMigrated } from './open-test-database';

/** The platform's stores over one pool: what this library's own integration specs open. */
export type PlatformStores = OverDatabase<ReturnType<typeof storesOver>>;

function storesOver(db: Database, ids: IdGenerator) {
  return {
    idempotency: new PgIdempotencyStore(db),
    outbox: new PgOutboxStore(db),
    processedEvents: new PgProcessedEventStore(db),
    deadLetters: new PgDeadLetterStore(db, ids),
    connections: new PgConnectionStore(db),
  };
}

/** Opens the pool on `url` and applies the platform's migration steps. */
export function openPlatformStores(
  url: string,
  ids: IdGenerator = uuidV7Generator,
): Promise<PlatformStores> {
  return openMigrated(url, PLATFORM_MIGRATION_STEPS, (db) => storesOver(db, ids));
}

/** The platform's stores on the dsql dialect's code paths (see {@link openDsqlDialect}). */
export function openPlatformStoresOnDsql(
  url: string,
  ids: IdGenerator = uuidV7Generator,
): Promise<PlatformStores> {
  return openDsqlDialect(url, PLATFORM_MIGRATION_STEPS, (db) => storesOver(db, ids));
}
