import { randomBytes } from 'node:crypto';
import type { TokenIssuer } from '@taskflow/platform-http';
import type { Persistence } from '@taskflow/app-composition';
import { ProjectUseCases } from '@taskflow/projects-application';
import { systemClock, uuidV7Generator } from '@taskflow/platform-kernel';
import { UserUseCases } from '@taskflow/users-application';

/** The user the load acts as, their two projects, and a token for them. */
export interface Actors {
  readonly userId: string;
  /** Where POST /tasks creates tasks. */
  readonly writeProjectId: string;
  /** Holds the seeded tasks the list scenarios read. */
  readonly readProjectId: string;
  readonly token: string;
}

/** Registers the benchmark's user and creates the projects they own, through the use cases. */
export async function seedActors(persistence: Persistence, tokens: TokenIssuer): Promise<Actors> {
  const users = new UserUseCases(persistence.users, systemClock, uuidV7Generator);
  const projects = new ProjectUseCases(
    persistence.projects,
    persistence.users,
    systemClock,
    uuidV7Generator,
  );
  const user = await users.ensureByEmail(
    { email: 'bench@taskflow.local', name: 'Bench User' },
    'bench-seed',
  );
  const context = { actorId: user.id, correlationId: 'bench-seed' };
  const writeProject = await projects.create({ name: 'Bench: writes' }, context);
  const readProject = await projects.create({ name: 'Bench: seeded tasks' }, context);
  return {
    userId: user.id,
    writeProjectId: writeProject.id,
    readProjectId: readProject.id,
    token: await tokens.issue(user, 60 * 60),
  };
}

/**
 * Inserts `count` valid tasks into a project in one statement. Ids are UUIDv7 built in SQL from
 * a millisecond timestamp that grows with the row (100 ms apart, ending a minute ago), so that
 * id order is creation order, as the API's `ORDER BY id DESC` pagination expects. Statuses,
 * priorities and labels cycle so that every filter value matches a steady share of the rows:
 * each status 1/5, each priority 1/4, label `bug` 1/3.
 */
export async function seedTasks(
  persistence: Persistence,
  projectId: string,
  createdBy: string,
  count: number,
): Promise<void> {
  const firstMs = Date.now() - 60_000 - count * 100;
  await persistence.db.query({
    text: `WITH seq AS (
        SELECT g, $3::bigint + g * 100 AS ms, md5($4 || g::text) AS r
        FROM generate_series(1, $5::int) AS g
      ), shaped AS (
        SELECT g, r, lpad(to_hex(ms), 12, '0') AS h, to_timestamp(ms / 1000.0) AS at,
          (ARRAY['pending', 'in_progress', 'blocked', 'completed', 'cancelled'])[1 + g % 5] AS status,
          (ARRAY['low', 'medium', 'high', 'urgent'])[1 + (g / 5) % 4] AS priority,
          (ARRAY['["backend"]', '["frontend","bug"]', '["bug","customer"]', '["backend","perf"]', '[]', '["docs"]'])[1 + (g / 20) % 6] AS labels
        FROM seq
      )
      INSERT INTO tasks (id, project_id, title, description, status, priority, assignee_id, created_by,
        due_date, labels, version, created_at, updated_at, completed_at, deleted_at)
      SELECT (substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || substr(r, 1, 3) || '-'
          || substr('89ab', 1 + g % 4, 1) || substr(r, 4, 3) || '-' || substr(r, 7, 12))::uuid,
        $1::uuid, 'Seeded task #' || g, 'Seeded by the API benchmark for the list scenarios.',
        status, priority, NULL, $2::uuid, NULL, labels, 1, at, at,
        CASE WHEN status = 'completed' THEN at END, NULL
      FROM shaped`,
    values: [projectId, createdBy, firstMs, randomBytes(8).toString('hex'), count],
  });
  // Fresh statistics and visibility map, as autovacuum would leave them on a real table.
  await persistence.db.query({ text: 'VACUUM ANALYZE tasks', values: [] });
}

/** Up to `limit` random ids of a project's tasks, leaving out its `keepOldest` oldest tasks. */
export async function sampleTaskIds(
  persistence: Persistence,
  projectId: string,
  limit: number,
  keepOldest = 0,
): Promise<string[]> {
  const { rows } = await persistence.db.query<{ id: string }>({
    text: `SELECT id FROM (
        SELECT id FROM tasks WHERE project_id = $1 ORDER BY id DESC
        LIMIT greatest((SELECT count(*) FROM tasks WHERE project_id = $1) - $3, 0)
      ) newer ORDER BY random() LIMIT $2`,
    values: [projectId, limit, keepOldest],
  });
  return rows.map((row) => row.id);
}
