import { type ProjectRole } from './project.events';
import { ForbiddenError, NotFoundError } from '@taskflow/platform-kernel';

/** Roles that may change a project's tasks and comments. */
const WRITER_ROLES: ReadonlySet<ProjectRole> = new Set(['owner', 'editor']);

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
      throw new ForbiddenError('ROLE_FORBIDDEN', `role ${role} may not change tasks in this project`);
    }
  }
}

/** The error for a project that does not exist or is not visible to the actor. */
export function projectNotFound(projectId: string): NotFoundError {
  return new NotFoundError('PROJECT_NOT_FOUND', `project ${projectId} not found`);
}
