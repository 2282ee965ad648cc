import { AggregateRoot, type PendingEvent, pendingEvent } from '@taskflow/platform-events';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  boundedText,
} from '@taskflow/platform-kernel';
import { ProjectAccess, projectNotFound } from './project-access';
import {
  PROJECT_EVENTS,
  type ProjectEvent,
  type ProjectRole,
  projectCreated,
  projectMemberAdded,
  projectMemberRemoved,
  projectMemberRoleChanged,
} from './project.events';

/** Bounds of a project's name, in characters. */
export const PROJECT_NAME_BOUNDS = { min: 1, max: 100 } as const;

/** One member of a project. */
export interface ProjectMember {
  readonly userId: string;
  readonly role: ProjectRole;
  readonly addedAt: string;
}

/** Stored state of a project. */
export interface ProjectProps {
  readonly id: string;
  readonly name: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
  readonly members: readonly ProjectMember[];
}

/** The public shape of a project: its stored state, members included. */
export type ProjectSnapshot = ProjectProps;

/**
 * A shared space of tasks and the people who work on them. Invariants: its creator starts as
 * owner; it always keeps at least one owner; only owners change membership and roles.
 */
export class Project extends AggregateRoot<ProjectEvent> {
  private readonly members: Map<string, ProjectMember>;
  private version: number;
  private updatedAt: string;

  private constructor(private readonly props: ProjectProps) {
    super(props.id);
    this.members = new Map(props.members.map((m) => [m.userId, m]));
    this.version = props.version;
    this.updatedAt = props.updatedAt;
  }

  /** Creates a project owned by its creator; raises `project.created` and `project.member_added`. */
  static create(input: { id: string; name: string; creatorId: string; now: Date }): Project {
    const name = boundedText('name', input.name, { ...PROJECT_NAME_BOUNDS, trim: true });
    const at = input.now.toISOString();
    const project = new Project({
      id: input.id,
      name,
      createdBy: input.creatorId,
      createdAt: at,
      updatedAt: at,
      version: 1,
      members: [{ userId: input.creatorId, role: 'owner', addedAt: at }],
    });
    project.raise(projectCreated, input.creatorId, at, {
      project: { id: input.id, name, createdBy: input.creatorId, createdAt: at },
    });
    project.raise(projectMemberAdded, input.creatorId, at, {
      userId: input.creatorId,
      role: 'owner',
    });
    return project;
  }

  /** Rebuilds a project from storage; raises nothing. */
  static rehydrate(props: ProjectProps): Project {
    return new Project(props);
  }

  /** The version this aggregate was loaded at (what storage must still hold to accept a save). */
  get loadedVersion(): number {
    return this.props.version;
  }

  get currentVersion(): number {
    return this.version;
  }

  /** Access rights of every member. */
  access(): ProjectAccess {
    return ProjectAccess.of(
      this.props.id,
      new Map([...this.members].map(([id, m]) => [id, m.role])),
    );
  }

  /** Adds a member; only an owner may. Raises `project.member_added`. */
  addMember(input: { actorId: string; userId: string; role: ProjectRole; now: Date }): void {
    this.requireOwner(input.actorId);
    if (this.members.has(input.userId)) {
      throw new ConflictError(
        'ALREADY_MEMBER',
        `user ${input.userId} is already a member of this project`,
      );
    }
    const at = input.now.toISOString();
    this.members.set(input.userId, { userId: input.userId, role: input.role, addedAt: at });
    this.bump(at);
    this.raise(projectMemberAdded, input.actorId, at, { userId: input.userId, role: input.role });
  }

  /** Removes a member; only an owner may, and never the last owner. Raises `project.member_removed`. */
  removeMember(input: { actorId: string; userId: string; now: Date }): void {
    this.requireOwner(input.actorId);
    const member = this.members.get(input.userId);
    if (!member) throw memberNotFound(input.userId);
    if (member.role === 'owner' && this.ownerCount() === 1) {
      throw new ConflictError('LAST_OWNER', 'a project must keep at least one owner');
    }
    const at = input.now.toISOString();
    this.members.delete(input.userId);
    this.bump(at);
    this.raise(projectMemberRemoved, input.actorId, at, {
      userId: input.userId,
      role: member.role,
    });
  }

  /**
   * Gives a member another role; only an owner may, and never so that no owner is left (an
   * owner may step down while another owner remains). Raises `project.member_role_changed` with
   * both roles. Giving a member the role they already hold changes nothing: no event, no new
   * version (so that a repeated request is harmless and a stale form cannot bump the project).
   */
  changeMemberRole(input: { actorId: string; userId: string; role: ProjectRole; now: Date }): void {
    this.requireOwner(input.actorId);
    const member = this.members.get(input.userId);
    if (!member) throw memberNotFound(input.userId);
    if (member.role === input.role) return;
    if (member.role === 'owner' && this.ownerCount() === 1) {
      throw new ConflictError('LAST_OWNER', 'a project must keep at least one owner');
    }
    const at = input.now.toISOString();
    this.members.set(input.userId, { ...member, role: input.role });
    this.bump(at);
    this.raise(projectMemberRoleChanged, input.actorId, at, {
      userId: input.userId,
      from: member.role,
      to: input.role,
    });
  }

  /** The project's public shape, members in the order they joined. */
  snapshot(): ProjectSnapshot {
    return {
      id: this.props.id,
      name: this.props.name,
      createdBy: this.props.createdBy,
      createdAt: this.props.createdAt,
      updatedAt: this.updatedAt,
      version: this.version,
      members: [...this.members.values()],
    };
  }

  /**
   * Requires the actor to be an owner, the authority to change members: a non-member gets
   * `PROJECT_NOT_FOUND`, another member `OWNER_REQUIRED`. Use cases call it before looking up
   * anything else a membership change names, so that nothing leaks to those without authority.
   */
  requireOwner(actorId: string): void {
    const actor = this.members.get(actorId);
    if (!actor) throw projectNotFound(this.props.id);
    if (actor.role !== 'owner') {
      throw new ForbiddenError('OWNER_REQUIRED', 'only a project owner may change its members');
    }
  }

  private ownerCount(): number {
    let owners = 0;
    for (const m of this.members.values()) if (m.role === 'owner') owners += 1;
    return owners;
  }

  private bump(at: string): void {
    this.version += 1;
    this.updatedAt = at;
  }

  private raise<D extends (typeof PROJECT_EVENTS)[number]>(
    definition: D,
    actor: string,
    occurredAt: string,
    data: PendingEvent<D>['data'],
  ): void {
    this.record(
      pendingEvent(definition, data, {
        aggregateId: this.props.id,
        aggregateVersion: this.version,
        projectId: this.props.id,
        actor,
        occurredAt,
      }),
    );
  }
}

function memberNotFound(userId: string): NotFoundError {
  return new NotFoundError('MEMBER_NOT_FOUND', `user ${userId} is not a member of this project`);
}
