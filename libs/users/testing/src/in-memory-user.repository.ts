import { ConflictError, type Page, type WriteContext } from '@taskflow/platform-kernel';
import {
  User,
  type UserListQuery,
  type UserProps,
  type UserRepository,
} from '@taskflow/users-domain';
import {
  InMemoryTable,
  type InMemoryStoreOptions,
  later,
  requireUuid,
} from '@taskflow/platform-testing';

/** Who shares a project with whom, as the user directory's visibility rule needs to know. */
export interface ProjectCoMembership {
  sharesProject(userId: string, otherId: string): boolean;
}

/** Options of an {@link InMemoryUserRepository}. */
export interface InMemoryUserRepositoryOptions extends InMemoryStoreOptions {
  /** Answers who shares a project (usually the project fake); without it, nobody does. */
  readonly projects?: ProjectCoMembership;
}

/**
 * An in-memory {@link UserRepository} with the Postgres adapter's semantics: users are stored as
 * snapshots (a loaded `User` never aliases stored state); `add` of an e-mail another user has,
 * compared case-insensitively, is a `ConflictError` `EMAIL_TAKEN` and stores nothing;
 * `findByEmail` trims and ignores case; `findVisible` and `list` see only the viewer and whoever
 * shares a project with them (as the adapter joins `project_members`); `list` is oldest first
 * (by id) with an opaque keyset cursor, a bad cursor being a `ValidationError` `INVALID_CURSOR`
 * on `cursor`.
 *
 * `interleave(write)` runs a simulated concurrent writer right before the next `add` is checked,
 * e.g. a racing registration of the same address.
 */
export class InMemoryUserRepository extends InMemoryTable<UserProps> implements UserRepository {
  private byIdLookups = 0;

  private readonly projects: ProjectCoMembership | null;

  constructor(options: InMemoryUserRepositoryOptions = {}) {
    super('users', options);
    this.projects = options.projects ?? null;
  }

  async add(user: User, context: WriteContext): Promise<void> {
    // The adapter takes the events before it writes; a failed add loses them too.
    const events = user.pullEvents();
    const s = user.snapshot();
    const emailLower = s.email.toLowerCase();
    await this.insert({ ...s, version: 1 }, events, context, () => {
      for (const row of this.rows.values()) {
        if (row.email.toLowerCase() === emailLower) {
          throw new ConflictError('EMAIL_TAKEN', 'a user with this e-mail already exists');
        }
      }
    });
  }

  /** How many times `findById` was asked: what a cache in front of it saves. */
  get findByIdCalls(): number {
    return this.byIdLookups;
  }

  findById(id: string): Promise<User | null> {
    this.byIdLookups += 1;
    return later(() => {
      requireUuid(id, 'users.id');
      const row = this.rows.get(id);
      return row ? User.rehydrate({ ...row }) : null;
    });
  }

  findByEmail(email: string): Promise<User | null> {
    return later(() => {
      const wanted = email.trim().toLowerCase();
      const row = [...this.rows.values()].find((r) => r.email.toLowerCase() === wanted);
      return row ? User.rehydrate({ ...row }) : null;
    });
  }

  findVisible(id: string, viewerId: string): Promise<User | null> {
    return later(() => {
      requireUuid(id, 'users.id');
      requireUuid(viewerId, 'project_members.user_id');
      const row = this.rows.get(id);
      return row && this.visible(row.id, viewerId) ? User.rehydrate({ ...row }) : null;
    });
  }

  list(query: UserListQuery): Promise<Page<User>> {
    return later(() => {
      requireUuid(query.viewerId, 'project_members.user_id');
      const q = query.q?.toLowerCase() ?? null;
      const matching = [...this.rows.values()]
        .filter((row) => this.visible(row.id, query.viewerId))
        .filter(
          (row) =>
            q === null || row.name.toLowerCase().includes(q) || row.email.toLowerCase().includes(q),
        );
      return this.pageOf(matching, 'asc', query.limit, query.cursor, (row) =>
        User.rehydrate({ ...row }),
      );
    });
  }

  private visible(userId: string, viewerId: string): boolean {
    return userId === viewerId || (this.projects?.sharesProject(viewerId, userId) ?? false);
  }
}
