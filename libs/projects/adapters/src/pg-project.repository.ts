import {
  Project,
  ProjectAccess,
  type ProjectMember,
  type ProjectRepository,
  type ProjectRole,
} from '@taskflow/projects-domain';
import { type Page, StaleVersionError, type WriteContext } from '@taskflow/platform-kernel';
import {
  appendOutbox,
  type Column,
  PgRepository,
  type Statement,
} from '@taskflow/platform-postgres';

interface ProjectRow {
  id: string;
  name: string;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  version: number;
  /** JSON array of {userId, role, addedAt}. */
  members: string;
}

const MEMBER_COLUMNS: readonly Column[] = [
  { name: 'project_id', type: 'uuid' },
  { name: 'user_id', type: 'uuid' },
  { name: 'role', type: 'text' },
  { name: 'added_at', type: 'timestamptz' },
];

// Members are aggregated as JSON text at query time (no jsonb column, as DSQL requires).
const SELECT_PROJECT = `SELECT p.id, p.name, p.created_by, p.created_at, p.updated_at, p.version,
  COALESCE((SELECT json_agg(json_build_object('userId', m.user_id, 'role', m.role, 'addedAt', m.added_at) ORDER BY m.added_at, m.user_id)
            FROM project_members m WHERE m.project_id = p.id), '[]')::text AS members
  FROM projects p`;

const projectFromRow = (row: ProjectRow): Project =>
  Project.rehydrate({
    id: row.id,
    name: row.name,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
    members: (JSON.parse(row.members) as ProjectMember[]).map((m) => ({
      ...m,
      addedAt: new Date(m.addedAt).toISOString(),
    })),
  });

/**
 * The statement behind `accessFor`: no row when the project does not exist, else one row per
 * named user who is a member (user_id and role null when none is). Exported so that benchmarks
 * run exactly the SQL the repository runs.
 */
export function projectAccessStatement(projectId: string, userIds: readonly string[]): Statement {
  return {
    name: 'tf_project_access',
    text: `SELECT m.user_id, m.role FROM projects p
             LEFT JOIN project_members m ON m.project_id = p.id AND m.user_id = ANY($2::uuid[])
             WHERE p.id = $1`,
    values: [projectId, userIds],
  };
}

/** Projects and their members in PostgreSQL. */
export class PgProjectRepository extends PgRepository implements ProjectRepository {
  async add(project: Project, context: WriteContext): Promise<void> {
    const s = project.snapshot();
    await this.write(project, context, (batch) => {
      batch.with(
        'project_row',
        `INSERT INTO projects (id, name, created_by, created_at, updated_at, version) VALUES (${batch.param(s.id)},
          ${batch.param(s.name)}, ${batch.param(s.createdBy)}, ${batch.param(s.createdAt, 'timestamptz')},
          ${batch.param(s.updatedAt, 'timestamptz')}, ${batch.param(s.version, 'int')})`,
      );
      batch.insertRows(
        'member_rows',
        'project_members',
        MEMBER_COLUMNS,
        s.members.map((m) => [s.id, m.userId, m.role, m.addedAt]),
      );
    });
  }

  async save(project: Project, context: WriteContext): Promise<void> {
    const s = project.snapshot();
    const events = project.pullEvents();
    const added: unknown[][] = [];
    const removed: string[] = [];
    // The role each member holds now, however many times it changed since the load.
    const roles = new Map<string, ProjectRole>();
    for (const event of events) {
      if (event.type === 'project.member_added') {
        const member = s.members.find((m) => m.userId === event.data.userId);
        if (member) added.push([s.id, member.userId, member.role, member.addedAt]);
      } else if (event.type === 'project.member_removed') {
        removed.push(event.data.userId);
      } else if (event.type === 'project.member_role_changed') {
        const member = s.members.find((m) => m.userId === event.data.userId);
        if (member) roles.set(member.userId, member.role);
      }
    }
    const batch = this.newBatch();
    batch.guardedBy(
      'project_row',
      `UPDATE projects SET version = ${batch.param(s.version, 'int')}, updated_at = ${batch.param(s.updatedAt, 'timestamptz')}
       WHERE id = ${batch.param(s.id, 'uuid')} AND version = ${batch.param(project.loadedVersion, 'int')} RETURNING id`,
    );
    batch.insertRows('member_rows', 'project_members', MEMBER_COLUMNS, added);
    batch.with(
      'removed_rows',
      `DELETE FROM project_members WHERE project_id = ${batch.param(s.id, 'uuid')}
        AND user_id = ANY(${batch.param(removed, 'uuid[]')}) AND ${batch.gate}`,
    );
    // A member added in this same save already has their current role in their new row.
    batch.with(
      'role_rows',
      `UPDATE project_members m SET role = r.role
         FROM unnest(${batch.param([...roles.keys()], 'uuid[]')}, ${batch.param([...roles.values()], 'text[]')}) AS r(user_id, role)
        WHERE m.project_id = ${batch.param(s.id, 'uuid')} AND m.user_id = r.user_id AND ${batch.gate}`,
    );
    appendOutbox(batch, events, context, this.ids);
    const { rows } = await this.db.query<{ matched: number }>(
      batch.toStatement('SELECT count(*) AS matched FROM project_row'),
    );
    if (rows[0]?.matched !== 1) throw new StaleVersionError(project.loadedVersion, null);
    this.db.announce(batch.envelopes);
  }

  async findById(id: string): Promise<Project | null> {
    const { rows } = await this.db.query<ProjectRow>({
      name: 'tf_project_by_id',
      text: `${SELECT_PROJECT} WHERE p.id = $1`,
      values: [id],
    });
    return rows[0] ? projectFromRow(rows[0]) : null;
  }

  async accessFor(projectId: string, userIds: readonly string[]): Promise<ProjectAccess | null> {
    const { rows } = await this.db.query<{ user_id: string | null; role: ProjectRole | null }>(
      projectAccessStatement(projectId, userIds),
    );
    if (rows.length === 0) return null;
    const roles = new Map<string, ProjectRole>();
    for (const row of rows)
      if (row.user_id !== null && row.role !== null) roles.set(row.user_id, row.role);
    return ProjectAccess.of(projectId, roles);
  }

  async listForMember(
    userId: string,
    limit: number,
    cursor: string | null,
  ): Promise<Page<Project>> {
    return this.page(limit, cursor, projectFromRow, (after, rowLimit) =>
      this.db.query<ProjectRow>({
        name: 'tf_projects_of_member',
        text: `${SELECT_PROJECT} WHERE p.id IN (SELECT project_id FROM project_members WHERE user_id = $1)
             AND ($2::uuid IS NULL OR p.id > $2::uuid) ORDER BY p.id LIMIT $3`,
        values: [userId, after, rowLimit],
      }),
    );
  }
}
