import type { ApiError, Member, Project, ProjectRole, User } from '../api/client';

/** The project events that change who is a member and with which role. */
export const PROJECT_EVENT_TYPES = [
  'project.member_added',
  'project.member_removed',
  'project.member_role_changed',
] as const;

/** Roles in the order the members panel offers them, with the words it shows for each. */
export const ROLE_NAMES: Readonly<Record<ProjectRole, string>> = {
  owner: 'Owner',
  editor: 'Editor',
  viewer: 'Viewer',
};
export const ROLES: readonly ProjectRole[] = ['owner', 'editor', 'viewer'];

/** One event of a project's stream, as far as the members panel reads it. */
export interface ProjectStreamEvent {
  readonly type: string;
  readonly aggregateId: string;
  readonly aggregateVersion: number;
  readonly occurredAt?: string;
  readonly data: unknown;
}

/** True for an event that changes the project's members (not a task's). */
export function isProjectEvent(event: { readonly type: string }): boolean {
  return (PROJECT_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** The caller's role in the project, or null when they are not (or no longer) a member. */
export function roleOf(project: Project | null, userId: string): ProjectRole | null {
  return project?.members.find((member) => member.userId === userId)?.role ?? null;
}

/** True for a role that may change tasks (what makes the board editable). */
export function mayEdit(role: ProjectRole | null): boolean {
  return role === 'owner' || role === 'editor';
}

const isRole = (value: unknown): value is ProjectRole =>
  value === 'owner' || value === 'editor' || value === 'viewer';

/**
 * The project after one of its stream's events. An event the project already reflects (its
 * version is not newer) changes nothing; `'reload'` means events were missed in between (the
 * project was read before the stream opened, say): read the project again rather than guess.
 */
export function applyProjectEvent(project: Project, event: ProjectStreamEvent): Project | 'reload' {
  if (event.aggregateId !== project.id || event.aggregateVersion <= project.version) return project;
  if (event.aggregateVersion !== project.version + 1) return 'reload';
  const data = (event.data ?? {}) as { userId?: unknown; role?: unknown; to?: unknown };
  const userId = typeof data.userId === 'string' ? data.userId : null;
  const at = event.occurredAt ?? project.updatedAt;
  const next = { ...project, version: event.aggregateVersion, updatedAt: at };
  // Another change of the project (a rename, say) leaves its members as they were.
  if (!isProjectEvent(event)) return next;
  if (userId === null) return 'reload';
  switch (event.type) {
    case 'project.member_added': {
      if (!isRole(data.role)) return 'reload';
      const others = project.members.filter((m) => m.userId !== userId);
      return { ...next, members: [...others, { userId, role: data.role, addedAt: at }] };
    }
    case 'project.member_removed':
      return { ...next, members: project.members.filter((m) => m.userId !== userId) };
    case 'project.member_role_changed': {
      if (!isRole(data.to)) return 'reload';
      const role = data.to;
      return {
        ...next,
        members: project.members.map((m) => (m.userId === userId ? { ...m, role } : m)),
      };
    }
    default:
      return next;
  }
}

/**
 * Keeps the board's copy of a project current from two sources: reads of the API (a page load,
 * a write's response) and the live stream's events, whichever is newer, so that a late read
 * cannot undo an event and a replayed event cannot undo a read. A gap in the stream's versions
 * makes it read the project again.
 */
export class ProjectFollower {
  private current: Project | null = null;
  private reloading = false;

  constructor(
    private readonly reload: () => Promise<Project>,
    private readonly onChange: (project: Project) => void,
  ) {}

  /** The project as the board last showed it. */
  get project(): Project | null {
    return this.current;
  }

  /** A project the API answered: kept when newer than what is shown. */
  take(project: Project): void {
    if (this.current !== null && project.version <= this.current.version) return;
    this.current = project;
    this.onChange(project);
  }

  /** An event of the project's stream. */
  apply(event: ProjectStreamEvent): void {
    if (this.current === null) {
      // The first read is on its way; it may predate this event, so read again after it.
      this.refresh();
      return;
    }
    const next = applyProjectEvent(this.current, event);
    if (next === 'reload') this.refresh();
    else if (next !== this.current) {
      this.current = next;
      this.onChange(next);
    }
  }

  /** Reads the project again (once at a time). */
  refresh(): void {
    if (this.reloading) return;
    this.reloading = true;
    this.reload().then(
      (project) => {
        this.reloading = false;
        this.take(project);
      },
      () => {
        this.reloading = false;
      },
    );
  }
}

/** A member as the panel lists them: who they are, as far as the caller can tell. */
export interface MemberRow {
  readonly userId: string;
  readonly role: ProjectRole;
  readonly name: string;
  readonly email: string | null;
  readonly isMe: boolean;
}

/**
 * The members to list: owners first, then editors, then viewers, each by name. People the
 * caller's user list does not (yet) know are shown by the start of their id.
 */
export function memberRows(
  members: readonly Member[],
  people: ReadonlyMap<string, User>,
  meId: string,
): MemberRow[] {
  return members
    .map((member) => {
      const person = people.get(member.userId);
      return {
        userId: member.userId,
        role: member.role,
        name: person?.name ?? `User ${member.userId.slice(0, 8)}`,
        email: person?.email ?? null,
        isMe: member.userId === meId,
      };
    })
    .sort(
      (a, b) =>
        ROLES.indexOf(a.role) - ROLES.indexOf(b.role) ||
        a.name.localeCompare(b.name) ||
        a.userId.localeCompare(b.userId),
    );
}

/** True when some member is one the caller's user list does not know (it needs reading again). */
export function hasStrangers(
  members: readonly Member[],
  people: ReadonlyMap<string, User>,
): boolean {
  return members.some((member) => !people.has(member.userId));
}

/**
 * What to tell the person when a change of members failed: the API's problem in words that say
 * what to do, the server's own detail for anything else.
 */
export function memberProblem(error: Pick<ApiError, 'code' | 'message' | 'errors'>): string {
  switch (error.code) {
    case 'LAST_OWNER':
      return 'A project must keep at least one owner: make someone else an owner first.';
    case 'OWNER_REQUIRED':
      return 'Only an owner of this project can change its members.';
    case 'EMAIL_NOT_FOUND':
      return 'Nobody with this e-mail address uses Taskflow yet: they must sign in once first.';
    case 'ALREADY_MEMBER':
      return 'This person is already a member of the project.';
    case 'MEMBER_NOT_FOUND':
      return 'This person is no longer a member of the project.';
    case 'PROJECT_NOT_FOUND':
      return 'This project no longer exists, or you are no longer a member.';
    case 'CONCURRENT_MODIFICATION':
      return 'The project kept changing while saving: try again.';
    default:
      return error.errors[0]?.message ?? error.message;
  }
}
