import {
  Project,
  ProjectAccess,
  type ProjectMember,
  type ProjectProps,
  type ProjectRepository,
  type ProjectRole,
} from '@taskflow/projects-domain';
import { type Page, StaleVersionError, type WriteContext } from '@taskflow/platform-kernel';
import {
  byIdAscending,
  compareIds,
  later,
  pageAfter,
  requireUuid,
} from '@taskflow/platform-testing';
import { InMemoryStore, type InMemoryStoreOptions } from '@taskflow/platform-testing';

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
export class InMemoryProjectRepository extends InMemoryStore implements ProjectRepository {
  private readonly rows = new Map<string, ProjectProps>();
  private refused = 0;

  constructor(options: InMemoryStoreOptions = {}) {
    super(options);
  }

  /** How many saves were refused because the stored version had moved on. */
  get staleSaves(): number {
    return this.refused;
  }

  /** The stored version of a project, or null when there is none. */
  storedVersionOf(id: string): number | null {
    return this.rows.get(id)?.version ?? null;
  }

  /** True when the user is a member of the stored project (for fakes that filter by membership). */
  hasMember(projectId: string, userId: string): boolean {
    return this.rows.get(projectId)?.members.some((m) => m.userId === userId) ?? false;
  }

  /** True when both users are members of at least one stored project (the user directory's rule). */
  sharesProject(userId: string, otherId: string): boolean {
    return [...this.rows.values()].some(
      (row) =>
        row.members.some((m) => m.userId === userId) &&
        row.members.some((m) => m.userId === otherId),
    );
  }

  /**
   * Before the next `save`, a concurrent writer bumps the stored version of project `id` once
   * (changing nothing else), so that save loses the race and a retry must reload.
   */
  bumpVersionBeforeNextSave(id: string): void {
    this.interleave(() => {
      const row = this.rows.get(id);
      if (!row) throw new Error(`no stored project ${id} to bump`);
      this.rows.set(id, { ...row, version: row.version + 1 });
    });
  }

  async add(project: Project, context: WriteContext): Promise<void> {
    const events = project.pullEvents();
    const s = project.snapshot();
    requireUuid(s.id, 'projects.id');
    await this.runConcurrentWriter();
    if (this.rows.has(s.id))
      throw new Error(`duplicate key value violates unique constraint "projects_pkey" (${s.id})`);
    this.rows.set(s.id, copyOf(s));
    this.record(events, context);
  }

  async save(project: Project, context: WriteContext): Promise<void> {
    // The adapter takes the events before it writes; a refused save loses them too.
    const events = project.pullEvents();
    const s = project.snapshot();
    await this.runConcurrentWriter();
    const stored = this.rows.get(s.id);
    if (stored?.version !== project.loadedVersion) {
      this.refused += 1;
      throw new StaleVersionError(project.loadedVersion, null);
    }
    // Only what the adapter writes: version, updated_at and the membership rows.
    this.rows.set(
      s.id,
      copyOf({ ...stored, version: s.version, updatedAt: s.updatedAt, members: s.members }),
    );
    this.record(events, context);
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
      const mine = [...this.rows.values()]
        .filter((row) => row.members.some((m) => m.userId === userId))
        .sort(byIdAscending);
      return pageAfter(
        mine,
        (id, after) => compareIds(id, after) > 0,
        limit,
        cursor,
        (row) => Project.rehydrate(copyOf(row)),
      );
    });
  }
}
