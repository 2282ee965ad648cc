import { type ProjectRole } from './project.events';
import { ForbiddenError, NotFoundError } from '@taskflow/platform-kernel';

/**
 * Roles that may change a project's tasks and comments. A write that confirms a presumed access
 * in SQL (see {@link ProjectAccess.presumed}) checks membership in this list.
 */
export const PROJECT_WRITER_ROLES: readonly ProjectRole[] = ['owner', 'editor'];
const WRITER_ROLES: ReadonlySet<ProjectRole> = new Set(PROJECT_WRITER_ROLES);

/**
 * What some users may do in one project: the roles of just the users a command is about, so a
 * task command need not load the whole member list.
 */
export class ProjectAccess {
  private constructor(
    readonly projectId: string,
    private readonly roles: ReadonlyMap<string, ProjectRole>,
  ) {}

  /** Access built from the roles of the users a command names (absent = not a member). */
  static of(projectId: string, roles: ReadonlyMap<string, ProjectRole>): ProjectAccess {
    return new ProjectAccess(projectId, roles);
  }

  /**
   * Access presumed before it is read: `writerId` may change tasks, `memberIds` are members.
   * Only for a write that checks the same in its own statement (a role of
   * {@link PROJECT_WRITER_ROLES}, membership) and writes nothing when it does not hold: the
   * caller then reads the real access, which says why (saving a round trip when it holds).
   */
  static presumed(
    projectId: string,
    writerId: string,
    memberIds: readonly string[] = [],
  ): ProjectAccess {
    const roles = new Map<string, ProjectRole>(memberIds.map((id) => [id, 'viewer']));
    roles.set(writerId, 'editor');
    return new ProjectAccess(projectId, roles);
  }

  /** The user's role, or null when not a member. */
  roleOf(userId: string): ProjectRole | null {
    return this.roles.get(userId) ?? null;
  }

  isMember(userId: string): boolean {
    return this.roles.has(userId);
  }

  /**
   * Requires membership. A non-member gets the same answer as for a project that does not exist,
   * so the project's existence does not leak.
   */
  requireMember(userId: string): ProjectRole {
    const role = this.roles.get(userId);
    if (role === undefined) throw projectNotFound(this.projectId);
    return role;
  }

  /** Requires a role that may change tasks (owner or editor). */
  requireWriter(userId: string): void {
    const role = this.requireMember(userId);
    if (!WRITER_ROLES.has(role)) {
      throw new ForbiddenError(
        'ROLE_FORBIDDEN',
        `role ${role} may not change tasks in this project`,
      );
    }
  }
}

/** The error for a project that does not exist or is not visible to the actor. */
export function projectNotFound(projectId: string): NotFoundError {
  return new NotFoundError('PROJECT_NOT_FOUND', `project ${projectId} not found`);
}
