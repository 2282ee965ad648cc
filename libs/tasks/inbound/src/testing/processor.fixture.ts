import { randomUUID } from 'node:crypto';
import type { BusEvent } from '@taskflow/platform-event-routing';
import { type Clock, systemClock, uuidV7Generator } from '@taskflow/platform-kernel';
import { PgDeadLetterStore, PgProcessedEventStore } from '@taskflow/platform-postgres';
import { type Closable, count, openMigrated } from '@taskflow/platform-postgres/testing';
import { ProjectUseCases } from '@taskflow/projects-application';
import {
  type Repositories,
  TASKS_SCHEMA_STEPS,
  type UseCases,
  taskRepositoriesOver,
  useCasesOver,
} from '@taskflow/tasks-adapters/testing';
import { TaskProcessor, type TaskProcessorOptions } from '../task.processor';

/** The stores an inbound event reaches, over one pool. */
export interface ProcessorPersistence extends Repositories {
  readonly processedEvents: PgProcessedEventStore;
  readonly deadLetters: PgDeadLetterStore;
}

/**
 * Shared set-up of the processor's integration specs (not exported from the library): the tasks
 * fixture's migrated database and use cases, and the processor wired over them as the host wires it.
 */
export interface ProcessorFixture extends UseCases, Closable {
  readonly persistence: ProcessorPersistence;
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
  const persistence: ProcessorPersistence = await openMigrated(url, TASKS_SCHEMA_STEPS, (db) => ({
    ...taskRepositoriesOver(db),
    processedEvents: new PgProcessedEventStore(db),
    deadLetters: new PgDeadLetterStore(db, uuidV7Generator),
  }));
  const { users, projects, tasks } = useCasesOver(persistence, clock);
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
  return {
    persistence,
    users,
    projects,
    tasks,
    processor: newProcessor(),
    newProcessor,
    close: () => persistence.close(),
  };
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
    counts[table] = await count(persistence.db, `SELECT count(*) AS n FROM ${table}`);
  return counts;
}
