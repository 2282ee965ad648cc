import { randomBytes } from 'node:crypto';
import type { RequestContext } from '@taskflow/platform-ports';
import { type EventEnvelope, envelopeSchemaOf, eventDefinitionOf } from '@taskflow/platform-events';
import { ProjectUseCases } from '@taskflow/projects-application';
import {
  type Clock,
  type IdGenerator,
  systemClock,
  uuidV7Generator,
} from '@taskflow/platform-kernel';
import { TaskUseCases } from '@taskflow/tasks-application';
import { UserUseCases } from '@taskflow/users-application';
import type { Database, DatabaseConfig } from '@taskflow/platform-postgres';
import { type Persistence, openPersistence } from '../persistence';

/**
 * Shared set-up of the composition's integration specs (not exported from the library): the
 * whole persistence migrated on a test database, the real use cases of every context over it,
 * and raw-SQL probes that read what the repositories wrote without going through them.
 */

/** Adapter settings for a local test server. */
export function testConfig(url: string, overrides: Partial<DatabaseConfig> = {}): DatabaseConfig {
  return {
    url,
    poolSize: 10,
    statementTimeoutMs: 10_000,
    connectTimeoutMs: 10_000,
    queryTimeoutMs: 0,
    ssl: 'disable',
    applicationName: 'taskflow-persistence-int-spec',
    dialect: 'postgres',
    ...overrides,
  };
}

/** Opens the pool on `url` and applies every migration step. */
export async function openMigrated(
  url: string,
  overrides: Partial<DatabaseConfig> = {},
  ids: IdGenerator = uuidV7Generator,
): Promise<Persistence> {
  const persistence = await openPersistence(testConfig(url, overrides), ids);
  try {
    await persistence.migrate();
  } catch (error) {
    await persistence.close();
    throw error;
  }
  return persistence;
}

/** The real use cases of every context, wired over one persistence as the host wires them. */
export interface UseCases {
  readonly users: UserUseCases;
  readonly projects: ProjectUseCases;
  readonly tasks: TaskUseCases;
}

/** Builds the use cases over `persistence`. */
export function useCasesOver(
  persistence: Persistence,
  clock: Clock = systemClock,
  ids: IdGenerator = uuidV7Generator,
): UseCases {
  return {
    users: new UserUseCases(persistence.users, clock, ids),
    projects: new ProjectUseCases(persistence.projects, persistence.users, clock, ids),
    tasks: new TaskUseCases(
      persistence.tasks,
      persistence.comments,
      persistence.projects,
      clock,
      ids,
    ),
  };
}

/** A short random token that keeps names and e-mails of one test apart from the others. */
export function token(): string {
  return randomBytes(4).toString('hex');
}

/** The context of a request by `actorId`. */
export function as(
  actorId: string,
  correlationId: string | null = `corr-${token()}`,
): RequestContext {
  return { actorId, correlationId };
}

/** Signs a new user up through the use case (as sign-in does); returns its id. */
export async function registerUser(useCases: UseCases, name = 'Someone'): Promise<string> {
  const email = `${name.replace(/\W/g, '').toLowerCase()}.${token()}@example.com`;
  const user = await useCases.users.ensureByEmail({ name, email }, 'fixture');
  return user.id;
}

/** An owner with a fresh project; returns both ids. */
export async function ownerWithProject(
  useCases: UseCases,
  name = 'Project',
): Promise<{ ownerId: string; projectId: string }> {
  const ownerId = await registerUser(useCases, 'Owner');
  const project = await useCases.projects.create({ name }, as(ownerId));
  return { ownerId, projectId: project.id };
}

/** Counts rows with a raw query (`SELECT count(*) AS n ...`), outside any repository. */
export async function count(
  db: Database,
  text: string,
  values: readonly unknown[] = [],
): Promise<number> {
  const { rows } = await db.query<{ n: number }>({ text, values });
  return rows[0]?.n ?? 0;
}

/** One stored outbox row. */
export interface OutboxRow {
  readonly id: string;
  readonly type: string;
  readonly schema_version: number;
  readonly aggregate_id: string;
  readonly aggregate_version: number;
  readonly project_id: string | null;
  readonly actor_id: string | null;
  readonly correlation_id: string | null;
  readonly occurred_at: Date;
  readonly payload: string;
}

/** Outbox rows of one aggregate, in the order they were written. */
export async function outboxOf(db: Database, aggregateId: string): Promise<OutboxRow[]> {
  const { rows } = await db.query<OutboxRow>({
    text: 'SELECT * FROM outbox WHERE aggregate_id = $1 ORDER BY aggregate_version, id',
    values: [aggregateId],
  });
  return rows;
}

/** One stored task_updates row. */
export interface AuditRow {
  readonly task_id: string;
  readonly version: number;
  readonly field: string;
  readonly old_value: string | null;
  readonly new_value: string | null;
  readonly actor_id: string | null;
}

/** Audit rows of one task, by version. */
export async function auditOf(db: Database, taskId: string): Promise<AuditRow[]> {
  const { rows } = await db.query<AuditRow>({
    text: 'SELECT task_id, version, field, old_value, new_value, actor_id FROM task_updates WHERE task_id = $1 ORDER BY version, field',
    values: [taskId],
  });
  return rows;
}

/**
 * Parses an outbox row's payload with the envelope schema of its own type: throws when the
 * payload is not a valid envelope of a type Taskflow emits.
 */
export function envelopeOf(row: OutboxRow): EventEnvelope {
  const definition = eventDefinitionOf(row.type);
  if (definition === undefined)
    throw new Error(`outbox row ${row.id} has unknown type ${row.type}`);
  return envelopeSchemaOf(definition).parse(JSON.parse(row.payload)) as EventEnvelope;
}
