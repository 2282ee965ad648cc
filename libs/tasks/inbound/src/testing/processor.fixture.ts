import { randomUUID } from 'node:crypto';
import type { BusEvent } from '@taskflow/platform-event-routing';
import {
  Database,
  PLATFORM_MIGRATION_STEPS,
  PgDeadLetterStore,
  PgProcessedEventStore,
  assembleMigrationSteps,
  runMigrations,
} from '@taskflow/platform-postgres';
import { PROJECTS_MIGRATION_STEPS, PgProjectRepository } from '@taskflow/projects-adapters';
import { ProjectUseCases } from '@taskflow/projects-application';
import { type Clock, systemClock, uuidV7Generator } from '@taskflow/platform-kernel';
import {
  PgCommentRepository,
  PgTaskRepository,
  TASKS_MIGRATION_STEPS,
} from '@taskflow/tasks-adapters';
import { TaskUseCases } from '@taskflow/tasks-application';
import { PgUserRepository, USERS_MIGRATION_STEPS } from '@taskflow/users-adapters';
import { UserUseCases } from '@taskflow/users-application';
import { TaskProcessor, type TaskProcessorOptions } from '../task.processor';

/** The stores an inbound event reaches, over one pool. */
export interface ProcessorPersistence {
  readonly db: Database;
  readonly users: PgUserRepository;
  readonly projects: PgProjectRepository;
  readonly tasks: PgTaskRepository;
  readonly comments: PgCommentRepository;
  readonly processedEvents: PgProcessedEventStore;
  readonly deadLetters: PgDeadLetterStore;
  close(): Promise<void>;
}

/**
 * Shared set-up of the processor's integration specs (not exported from the library): a
 * migrated database, the real use cases over it, and the processor wired as the host wires it.
 */
export interface ProcessorFixture {
  readonly persistence: ProcessorPersistence;
  readonly users: UserUseCases;
  readonly projects: ProjectUseCases;
  readonly tasks: TaskUseCases;
  readonly processor: TaskProcessor;
  /** A second processor over the same database, as another process would run it. */
  newProcessor(): TaskProcessor;
}

/** The processor settings the specs use (the host's defaults). */
export const PROCESSOR_OPTIONS: TaskProcessorOptions = {
  defaultProjectName: 'Inbox',
  systemUserEmail: 'system@taskflow.local',
};

/** Opens and migrates the database at `url` and wires the processor over it. */
export async function openProcessorFixture(
  url: string,
  clock: Clock = systemClock,
): Promise<ProcessorFixture> {
  const db = await Database.connect({
    url,
    poolSize: 10,
    statementTimeoutMs: 10_000,
    connectTimeoutMs: 10_000,
    queryTimeoutMs: 0,
    ssl: 'disable',
    applicationName: 'taskflow-processor-int-spec',
    dialect: 'postgres',
  });
  const persistence: ProcessorPersistence = {
    db,
    users: new PgUserRepository(db, uuidV7Generator),
    projects: new PgProjectRepository(db, uuidV7Generator),
    tasks: new PgTaskRepository(db, uuidV7Generator),
    comments: new PgCommentRepository(db, uuidV7Generator),
    processedEvents: new PgProcessedEventStore(db),
    deadLetters: new PgDeadLetterStore(db, uuidV7Generator),
    close: () => db.close(),
  };
  await runMigrations(
    db.dataSource,
    'postgres',
    assembleMigrationSteps(
      PLATFORM_MIGRATION_STEPS,
      USERS_MIGRATION_STEPS,
      PROJECTS_MIGRATION_STEPS,
      TASKS_MIGRATION_STEPS,
    ),
  );
  const users = new UserUseCases(persistence.users, clock, uuidV7Generator);
  const projects = new ProjectUseCases(
    persistence.projects,
    persistence.users,
    clock,
    uuidV7Generator,
  );
  const tasks = new TaskUseCases(
    persistence.tasks,
    persistence.comments,
    persistence.projects,
    clock,
    uuidV7Generator,
  );
  const newProcessor = (): TaskProcessor =>
    new TaskProcessor(
      {
        transactions: persistence.db,
        processedEvents: persistence.processedEvents,
        users,
        projects,
        tasks,
        projectsCreatingWithId: (id) =>
          new ProjectUseCases(persistence.projects, persistence.users, clock, { next: () => id }),
        clock,
      },
      PROCESSOR_OPTIONS,
    );
  return { persistence, users, projects, tasks, processor: newProcessor(), newProcessor };
}

/** A fresh EventBridge-style event id. */
export function eventId(): string {
  return randomUUID();
}

/** An inbound command event as EventBridge delivers it to its target. */
export function inboundEvent(
  detailType: string,
  detail: Record<string, unknown>,
  id = eventId(),
): BusEvent {
  return {
    version: '0',
    id,
    'detail-type': detailType,
    source: 'task.management',
    account: '123456789012',
    time: '2025-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

/** Counts rows with a raw query (`SELECT count(*) AS n ...`). */
export async function count(
  persistence: ProcessorPersistence,
  text: string,
  values: readonly unknown[] = [],
): Promise<number> {
  const { rows } = await persistence.db.query<{ n: number }>({ text, values });
  return rows[0]?.n ?? 0;
}

/** Row counts of everything an event can write. */
export async function footprint(
  persistence: ProcessorPersistence,
): Promise<Record<string, number>> {
  const tables = [
    'users',
    'projects',
    'project_members',
    'tasks',
    'task_updates',
    'outbox',
    'processed_events',
  ];
  const counts: Record<string, number> = {};
  for (const table of tables)
    counts[table] = await count(persistence, `SELECT count(*) AS n FROM ${table}`);
  return counts;
}
