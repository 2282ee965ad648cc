import type { IdGenerator } from '@taskflow/shared-kernel';
import { Database } from './database';
import type { DatabaseConfig } from './database.config';
import { type MigrationReport, runMigrations } from './migrations/migration-runner';
import { TypeormCommentRepository } from './typeorm-comment.repository';
import { TypeormConnectionStore } from './typeorm-connection.store';
import { TypeormDeadLetterStore } from './typeorm-dead-letter.store';
import { TypeormIdempotencyStore } from './typeorm-idempotency.store';
import { TypeormOutboxStore } from './typeorm-outbox.store';
import { TypeormProcessedEventStore } from './typeorm-processed-event.store';
import { TypeormProjectRepository } from './typeorm-project.repository';
import { DSQL_RELEASES_PER_TRANSACTION, TypeormTaskRepository } from './typeorm-task.repository';
import { TypeormUserRepository } from './typeorm-user.repository';

/** Every Postgres-backed port, sharing one pool. */
export interface Persistence {
  readonly db: Database;
  readonly users: TypeormUserRepository;
  readonly projects: TypeormProjectRepository;
  readonly tasks: TypeormTaskRepository;
  readonly comments: TypeormCommentRepository;
  readonly idempotency: TypeormIdempotencyStore;
  readonly outbox: TypeormOutboxStore;
  /** Inbound events already processed (the task processor's idempotency). */
  readonly processedEvents: TypeormProcessedEventStore;
  /** Events bus targets gave up on. */
  readonly deadLetters: TypeormDeadLetterStore;
  /** Open API Gateway WebSocket connections (live updates on AWS). */
  readonly connections: TypeormConnectionStore;
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
    users: new TypeormUserRepository(db, ids),
    projects: new TypeormProjectRepository(db, ids),
    tasks: new TypeormTaskRepository(db, ids),
    comments: new TypeormCommentRepository(db, ids),
    idempotency: new TypeormIdempotencyStore(db),
    outbox: new TypeormOutboxStore(db),
    processedEvents: new TypeormProcessedEventStore(db),
    deadLetters: new TypeormDeadLetterStore(db, ids),
    connections: new TypeormConnectionStore(db),
    releasesPerTransaction: config.dialect === 'dsql' ? DSQL_RELEASES_PER_TRANSACTION : null,
    migrate: () => runMigrations(db.dataSource, config.dialect),
    close: () => db.close(),
  };
}
