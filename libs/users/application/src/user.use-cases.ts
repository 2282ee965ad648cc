import type { RequestContext } from '@taskflow/platform-ports';
import { type User, type UserRepository, type UserSnapshot } from '@taskflow/users-domain';
import { User as UserAggregate } from '@taskflow/users-domain';
import { type Clock, type IdGenerator, NotFoundError, type Page } from '@taskflow/platform-kernel';

/** Registering, finding and listing users. */
export class UserUseCases {
  constructor(
    private readonly users: UserRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /** Registers a user. A duplicate e-mail (any case) is a `ConflictError` `EMAIL_TAKEN`. */
  async register(
    input: { name: string; email: string },
    context: RequestContext,
  ): Promise<UserSnapshot> {
    const user = UserAggregate.create({
      id: this.ids.next(),
      ...input,
      actorId: context.actorId,
      now: this.clock.now(),
    });
    await this.users.add(user, context);
    return user.snapshot();
  }

  /**
   * The user with this e-mail, registered first if there is none (used by sign-in and by
   * inbound events that name people by e-mail). Safe under concurrent calls.
   */
  async ensureByEmail(
    input: { name: string; email: string },
    correlationId: string | null,
  ): Promise<UserSnapshot> {
    const existing = await this.users.findByEmail(input.email);
    if (existing) return existing.snapshot();
    const user = UserAggregate.create({
      id: this.ids.next(),
      ...input,
      actorId: null,
      now: this.clock.now(),
    });
    try {
      await this.users.add(user, { correlationId });
      return user.snapshot();
    } catch (error) {
      // Lost a race with a concurrent registration of the same address: theirs is the user.
      const winner = await this.users.findByEmail(input.email);
      if (winner) return winner.snapshot();
      throw error;
    }
  }

  /** True when a user has this id (the id must be a UUID). */
  async exists(id: string): Promise<boolean> {
    return (await this.users.findById(id)) !== null;
  }

  /**
   * A user the actor may see: themself, or someone sharing a project with them. Anyone else is
   * `USER_NOT_FOUND`, as if they did not exist.
   */
  async get(id: string, context: RequestContext): Promise<UserSnapshot> {
    const user = await this.users.findVisible(id, context.actorId);
    if (!user) throw new NotFoundError('USER_NOT_FOUND', `user ${id} not found`);
    return user.snapshot();
  }

  /** The users the actor may see (see `get`), by id, optionally matching `q`. */
  async list(
    query: { limit: number; cursor: string | null; q: string | null },
    context: RequestContext,
  ): Promise<Page<UserSnapshot>> {
    const page = await this.users.list({ ...query, viewerId: context.actorId });
    return { items: page.items.map((u: User) => u.snapshot()), nextCursor: page.nextCursor };
  }
}
