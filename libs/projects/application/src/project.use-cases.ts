import {
  type RequestContext,
  type TransactionRunner,
  retryOnStaleVersion,
} from '@taskflow/platform-ports';
import {
  Project,
  projectNotFound,
  type ProjectRepository,
  type ProjectRole,
  type ProjectSnapshot,
} from '@taskflow/projects-domain';
import {
  type Clock,
  type IdGenerator,
  NotFoundError,
  type Page,
  ValidationError,
} from '@taskflow/platform-kernel';
import { Email, type UserRepository } from '@taskflow/users-domain';

/** Who to add to a project: a user by id, or by their exact e-mail address (any case). */
export type NewMember =
  | { readonly userId: string; readonly email?: never }
  | { readonly email: string; readonly userId?: never };

/** How far {@link MemberDepartures.memberLeaving} got. */
export interface DepartureProgress {
  /** Changes made (tasks unassigned). */
  readonly released: number;
  /** True when it stopped at its limit with more left to change. */
  readonly more: boolean;
}

/** What else must change when a member leaves a project (their task assignments, say). */
export interface MemberDepartures {
  /**
   * Called in the removal's transaction once the membership is gone (a failure here cancels the
   * removal), and again in transactions of their own while it reports `more`. Changes at most
   * `limit` things per call (null: all of them). The removal was authorised: the actor may even
   * have removed themself.
   */
  memberLeaving(
    projectId: string,
    userId: string,
    context: RequestContext,
    limit: number | null,
  ): Promise<DepartureProgress>;
}

/** Consequences of membership changes that other contexts own, run atomically with them. */
export interface MembershipPolicies {
  readonly transactions: TransactionRunner;
  readonly departures: MemberDepartures;
  /**
   * Most departure changes one transaction may hold, where the engine bounds a transaction's
   * size (Aurora DSQL: 3,000 rows). Absent: a removal and all its consequences commit together.
   */
  readonly changesPerTransaction?: number;
}

/** Creating projects, reading them, and managing their members. */
export class ProjectUseCases {
  /**
   * @param policies - where a removal must also change other aggregates (the HTTP API's
   *   composition passes the task use cases); without them, a removal changes the project only.
   */
  constructor(
    private readonly projects: ProjectRepository,
    private readonly users: UserRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly policies: MembershipPolicies | null = null,
  ) {}

  /** Creates a project owned by the actor. */
  async create(input: { name: string }, context: RequestContext): Promise<ProjectSnapshot> {
    const project = Project.create({
      id: this.ids.next(),
      name: input.name,
      creatorId: context.actorId,
      now: this.clock.now(),
    });
    await this.projects.add(project, context);
    return project.snapshot();
  }

  /** A project the actor is a member of (404 otherwise, so existence does not leak). */
  async get(projectId: string, context: RequestContext): Promise<ProjectSnapshot> {
    const project = await this.projects.findById(projectId);
    if (!project?.access().isMember(context.actorId)) throw projectNotFound(projectId);
    return project.snapshot();
  }

  /** The actor's projects. */
  async listMine(
    limit: number,
    cursor: string | null,
    context: RequestContext,
  ): Promise<Page<ProjectSnapshot>> {
    const page = await this.projects.listForMember(context.actorId, limit, cursor);
    return { items: page.items.map((p) => p.snapshot()), nextCursor: page.nextCursor };
  }

  /**
   * Adds an existing user with a role; owners only. The user is named by id or by exact e-mail:
   * the address is looked up only once the actor's authority is checked, and reveals nothing but
   * whether it is registered (`EMAIL_NOT_FOUND`, 404, when it is not).
   */
  async addMember(
    input: NewMember & { projectId: string; role: ProjectRole },
    context: RequestContext,
  ): Promise<ProjectSnapshot> {
    return retryOnStaleVersion(async () => {
      const project = await this.load(input.projectId, context);
      // Authority first, so that a non-owner learns nothing about which users exist.
      project.requireOwner(context.actorId);
      const userId = await this.memberId(input);
      project.addMember({
        actorId: context.actorId,
        userId,
        role: input.role,
        now: this.clock.now(),
      });
      await this.projects.save(project, context);
      return project.snapshot();
    });
  }

  private async memberId(member: NewMember): Promise<string> {
    if (member.email !== undefined) {
      const user = await this.users.findByEmail(Email.create(member.email).value);
      if (!user) throw new NotFoundError('EMAIL_NOT_FOUND', 'no user has this e-mail address');
      return user.id;
    }
    if (!(await this.users.findById(member.userId))) {
      throw ValidationError.field('USER_NOT_FOUND', 'userId', 'no user has this id');
    }
    return member.userId;
  }

  /**
   * Gives a member another role; owners only, never leaving the project without an owner. The
   * role they already hold answers the project as it is, storing nothing (no event, no new
   * version), so that repeating the request is harmless. A concurrent change of the project
   * makes it start over on the newer state (the last-owner rule is checked again there).
   */
  async changeMemberRole(
    input: { projectId: string; userId: string; role: ProjectRole },
    context: RequestContext,
  ): Promise<ProjectSnapshot> {
    return retryOnStaleVersion(async () => {
      const project = await this.load(input.projectId, context);
      project.changeMemberRole({
        actorId: context.actorId,
        userId: input.userId,
        role: input.role,
        now: this.clock.now(),
      });
      if (project.currentVersion !== project.loadedVersion)
        await this.projects.save(project, context);
      return project.snapshot();
    });
  }

  /**
   * Removes a member; owners only, never the last owner. With policies, what depends on the
   * membership (the member's task assignments) changes in the same transaction.
   *
   * With `changesPerTransaction`, only that many consequences share the removal's transaction;
   * the rest follow in transactions of their own, each at most that size. This gives up
   * all-or-nothing for large removals, safely: the membership is gone from the first commit on,
   * so nothing new can be assigned to the member (the stores refuse it), and each later
   * transaction only releases what is left. Interrupted in between, the member is out and some
   * of their tasks are still assigned; removing them again finishes the releases (and answers
   * as the removal would have) instead of reporting `MEMBER_NOT_FOUND`.
   */
  async removeMember(
    input: { projectId: string; userId: string },
    context: RequestContext,
  ): Promise<ProjectSnapshot> {
    const policies = this.policies;
    const limit = policies?.changesPerTransaction ?? null;
    if (limit !== null && !(Number.isInteger(limit) && limit > 0))
      throw new Error(`changesPerTransaction must be a positive integer, not ${String(limit)}`);
    type Attempt =
      | { readonly snapshot: ProjectSnapshot; readonly more: boolean }
      | { readonly snapshot: ProjectSnapshot; readonly gone: NotFoundError };
    const remove = async (): Promise<Attempt> => {
      const project = await this.load(input.projectId, context);
      try {
        project.removeMember({
          actorId: context.actorId,
          userId: input.userId,
          now: this.clock.now(),
        });
      } catch (error) {
        // The owner check passed and the member is gone: maybe an interrupted removal's
        // leftovers, which are released below, outside this transaction.
        if (limit !== null && isMemberNotFound(error))
          return { snapshot: project.snapshot(), gone: error };
        throw error;
      }
      await this.projects.save(project, context);
      const progress = await policies?.departures.memberLeaving(
        input.projectId,
        input.userId,
        context,
        limit,
      );
      return { snapshot: project.snapshot(), more: progress?.more ?? false };
    };
    // Each attempt must be a transaction of its own, rolled back when it goes stale: called inside
    // an outer transaction, `run` would join it and a retry would start from the first attempt's
    // writes (the membership already deleted).
    const removed = await retryOnStaleVersion(() =>
      policies ? policies.transactions.run(remove) : remove(),
    );
    if (policies === null || limit === null) return removed.snapshot;
    if ('gone' in removed) {
      // Only an interrupted removal leaves a non-member holding tasks.
      if ((await this.releaseRest(policies, input, context, limit)) === 0) throw removed.gone;
    } else if (removed.more) {
      await this.releaseRest(policies, input, context, limit);
    }
    return removed.snapshot;
  }

  /**
   * What the removal's own transaction had no room for, `limit` changes per transaction until
   * none is left; each transaction re-reads what is left, so a retry (a stale task, a crash)
   * neither repeats nor skips a change. Returns how many changes it made.
   */
  private async releaseRest(
    policies: MembershipPolicies,
    input: { projectId: string; userId: string },
    context: RequestContext,
    limit: number,
  ): Promise<number> {
    let released = 0;
    for (;;) {
      const progress = await retryOnStaleVersion(() =>
        policies.transactions.run(() =>
          policies.departures.memberLeaving(input.projectId, input.userId, context, limit),
        ),
      );
      released += progress.released;
      // A batch that changed nothing cannot be followed by one that does: stop either way.
      if (!progress.more || progress.released === 0) return released;
    }
  }

  private async load(projectId: string, context: RequestContext): Promise<Project> {
    const project = await this.projects.findById(projectId);
    if (!project?.access().isMember(context.actorId)) throw projectNotFound(projectId);
    return project;
  }
}

function isMemberNotFound(error: unknown): error is NotFoundError {
  return error instanceof NotFoundError && error.code === 'MEMBER_NOT_FOUND';
}
