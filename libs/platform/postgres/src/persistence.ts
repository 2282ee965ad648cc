import type { IdGenerator } from '@taskflow/platform-kernel';
import { Database } from './database';
import type { DatabaseConfig } from './database.config';
import { type MigrationReport, runMigrations } from './migrations/migration-runner';
import { PgCommentRepository } from './pg-comment.repository';
import { PgConnectionStore } from './pg-connection.store';
import { PgDeadLetterStore } from './pg-dead-letter.store';
import { PgIdempotencyStore } from './pg-idempotency.store';
import { PgOutboxStore } from './pg-outbox.store';
import { PgProcessedEventStore } from './pg-processed-event.store';
import { PgProjectRepository } from './pg-project.repository';
import { DSQL_RELEASES_PER_TRANSACTION, PgTaskRepository } from './pg-task.repository';
import { PgUserRepository } from './pg-user.repository';

/** Every Postgres-backed port, sharing one pool. */
export interface Persistence {
  readonly db: Database;
  readonly users: PgUserRepository;
  readonly projects: PgProjectRepository;
  readonly tasks: PgTaskRepository;
  readonly comments: PgCommentRepository;
  readonly idempotency: PgIdempotencyStore;
  readonly outbox: PgOutboxStore;
  /** Inbound events already processed (the task processor's idempotency). */
  readonly processedEvents: PgProcessedEventStore;
  /** Events bus targets gave up on. */
  readonly deadLetters: PgDeadLetterStore;
  /** Open API Gateway WebSocket connections (live updates on AWS). */
  readonly connections: PgConnectionStore;
  /**
   * Most task unassignments a member's removal may put in one transaction; null: all of them
   * in the removal's own (PostgreSQL). Set on Aurora DSQL, whose transactions are bounded.
   */
  readonly releasesPerTransaction: number | null;
  migrate(): Promise<MigrationReport>;
  close(): Promise<void>;
}

/** Opens the pool and builds the repositories over it. */
export async function openPersistence(
  config: DatabaseConfig,
  ids: IdGenerator,
): Promise<Persistence> {
  const db = await Database.connect(config);
  return {
    db,
    users: new PgUserRepository(db, ids),
    projects: new PgProjectRepository(db, ids),
    tasks: new PgTaskRepository(db, ids),
    comments: new PgCommentRepository(db, ids),
    idempotency: new PgIdempotencyStore(db),
    outbox: new PgOutboxStore(db),
    processedEvents: new PgProcessedEventStore(db),
    deadLetters: new PgDeadLetterStore(db, ids),
    connections: new PgConnectionStore(db),
    releasesPerTransaction: config.dialect === 'dsql' ? DSQL_RELEASES_PER_TRANSACTION : null,
    migrate: () => runMigrations(db.dataSource, config.dialect),
    close: () => db.close(),
  };
}
