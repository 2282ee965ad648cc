import {
  Project,
  ProjectAccess,
  type ProjectMember,
  type ProjectProps,
  type ProjectRepository,
  type ProjectRole,
} from '@taskflow/projects-domain';
import type { Page, WriteContext } from '@taskflow/platform-kernel';
import {
  type InMemoryStoreOptions,
  InMemoryVersionedTable,
  compareIds,
  later,
  requireUuid,
} from '@taskflow/platform-testing';

// Members come back in the order the adapter selects them: by when they joined, then by id.
const byJoinOrder = (a: ProjectMember, b: ProjectMember): number =>
  a.addedAt < b.addedAt ? -1 : a.addedAt > b.addedAt ? 1 : compareIds(a.userId, b.userId);

function copyOf(props: ProjectProps): ProjectProps {
  return { ...props, members: props.members.map((m) => ({ ...m })).sort(byJoinOrder) };
}

/**
 * An in-memory {@link ProjectRepository} with the Postgres adapter's semantics: projects are
 * stored as snapshots (a loaded `Project` never aliases stored state); `save` stores nothing and
 * throws `StaleVersionError` unless the stored version is still `project.loadedVersion`;
 * `accessFor` is null for a project that does not exist and otherwise knows the roles of just the
 * users asked about; `listForMember` is oldest first (by id) with an opaque keyset cursor.
 *
 * To exercise retries, `interleave(write)` runs a concurrent writer right before the next `save`
 * is checked, and `bumpVersionBeforeNextSave(id)` is the simplest such writer. `staleSaves`
 * counts the saves refused for a stale version.
 */
export class InMemoryProjectRepository
  extends InMemoryVersionedTable<ProjectProps>
  implements ProjectRepository
{
  constructor(options: InMemoryStoreOptions = {}) {
    super('projects', options);
  }

  /** The stored version of a project, or null when there is none. */
  storedVersionOf(id: string): number | null {
    return this.rows.get(id)?.version ?? null;
  }

  /** True when the user is a member of the stored project (for fakes that filter by membership). */
  hasMember(projectId: string, userId: string): boolean {
    return this.rows.get(projectId)?.members.some((m) => m.userId === userId) ?? false;
  }

  roleOf(projectId: string, userId: string): ProjectRole | null {
    return this.rows.get(projectId)?.members.find((m) => m.userId === userId)?.role ?? null;
  }

  /** True when both users are members of at least one stored project (the user directory's rule). */
  sharesProject(userId: string, otherId: string): boolean {
    return [...this.rows.values()].some(
      (row) =>
        row.members.some((m) => m.userId === userId) &&
        row.members.some((m) => m.userId === otherId),
    );
  }

  async add(project: Project, context: WriteContext): Promise<void> {
    const events = project.pullEvents();
    await this.insert(copyOf(project.snapshot()), events, context);
  }

  async save(project: Project, context: WriteContext): Promise<void> {
    // The adapter takes the events before it writes; a refused save loses them too.
    const events = project.pullEvents();
    const s = project.snapshot();
    // Only what the adapter writes: version, updated_at and the membership rows.
    await this.update(s.id, project.loadedVersion, events, context, (stored) =>
      copyOf({ ...stored, version: s.version, updatedAt: s.updatedAt, members: s.members }),
    );
  }

  findById(id: string): Promise<Project | null> {
    return later(() => {
      requireUuid(id, 'projects.id');
      const row = this.rows.get(id);
      return row ? Project.rehydrate(copyOf(row)) : null;
    });
  }

  accessFor(projectId: string, userIds: readonly string[]): Promise<ProjectAccess | null> {
    return later(() => {
      requireUuid(projectId, 'projects.id');
      for (const userId of userIds) requireUuid(userId, 'project_members.user_id');
      const row = this.rows.get(projectId);
      if (!row) return null;
      const roles = new Map<string, ProjectRole>();
      for (const m of row.members) if (userIds.includes(m.userId)) roles.set(m.userId, m.role);
      return ProjectAccess.of(projectId, roles);
    });
  }

  listForMember(userId: string, limit: number, cursor: string | null): Promise<Page<Project>> {
    return later(() => {
      requireUuid(userId, 'project_members.user_id');
      const mine = [...this.rows.values()].filter((row) =>
        row.members.some((m) => m.userId === userId),
      );
      return this.pageOf(mine, 'asc', limit, cursor, (row) => Project.rehydrate(copyOf(row)));
    });
  }
}
