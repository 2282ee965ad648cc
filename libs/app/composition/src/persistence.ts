import type { IdGenerator } from '@taskflow/platform-kernel';
import {
  Database,
  type DatabaseConfig,
  type MigrationStep,
  PLATFORM_MIGRATION_STEPS,
  PgConnectionStore,
  PgDeadLetterStore,
  PgIdempotencyStore,
  PgOutboxStore,
  PgProcessedEventStore,
  assembleMigrationSteps,
} from '@taskflow/platform-postgres';
import { PROJECTS_MIGRATION_STEPS, PgProjectRepository } from '@taskflow/projects-adapters';
import {
  DSQL_RELEASES_PER_TRANSACTION,
  PgCommentRepository,
  PgTaskRepository,
  TASKS_MIGRATION_STEPS,
} from '@taskflow/tasks-adapters';
import { PgUserRepository, USERS_MIGRATION_STEPS } from '@taskflow/users-adapters';

/** Taskflow's schema: the platform's tables and each context's, in name order. */
export const MIGRATION_STEPS: readonly MigrationStep[] = assembleMigrationSteps(
  PLATFORM_MIGRATION_STEPS,
  USERS_MIGRATION_STEPS,
  PROJECTS_MIGRATION_STEPS,
  TASKS_MIGRATION_STEPS,
);

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
    close: () => db.close(),
  };
}
