import { uuidV7Generator } from '@taskflow/platform-kernel';
import type { Database } from '../database';
import type { DatabaseConfig } from '../database.config';
import { PLATFORM_MIGRATION_STEPS } from '../migrations/migration-steps';
import { PgConnectionStore } from '../pg-connection.store';
import { PgDeadLetterStore } from '../pg-dead-letter.store';
import { PgIdempotencyStore } from '../pg-idempotency.store';
import { PgOutboxStore } from '../pg-outbox.store';
import { PgProcessedEventStore } from '../pg-processed-event.store';
import { type OverDatabase, openMigrated } from './open-test-database';

/** The platform's stores over one pool: what this library's own integration specs open. */
export type PlatformStores = OverDatabase<ReturnType<typeof storesOver>>;

function storesOver(db: Database) {
  return {
    idempotency: new PgIdempotencyStore(db),
    outbox: new PgOutboxStore(db),
    processedEvents: new PgProcessedEventStore(db),
    deadLetters: new PgDeadLetterStore(db, uuidV7Generator),
    connections: new PgConnectionStore(db),
  };
}

/** Opens the pool on `url` with `dialect` and applies the platform's migration steps. */
export function openPlatformStores(
  url: string,
  dialect: DatabaseConfig['dialect'] = 'postgres',
): Promise<PlatformStores> {
  return openMigrated(url, PLATFORM_MIGRATION_STEPS, storesOver, dialect);
}
