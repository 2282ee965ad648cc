import type { Page, WriteContext } from '@taskflow/platform-kernel';
import type { User } from './user.aggregate';

/**
 * Filter and position of a user listing. Users are listed only to people they work with: the
 * viewer sees themself and whoever shares at least one project with them.
 */
export interface UserListQuery {
  /** Whose directory this is; only users visible to them are listed. */
  readonly viewerId: string;
  readonly limit: number;
  readonly cursor: string | null;
  /** Case-insensitive substring of the name or e-mail. */
  readonly q: string | null;
}

/** Port to the users store. */
export interface UserRepository {
  /**
   * Stores a new user with its events. Throws a `ConflictError` with code `EMAIL_TAKEN` when
   * another user has the same e-mail, compared case-insensitively.
   */
  add(user: User, context: WriteContext): Promise<void>;
  /** Any user by id, whoever asks (identity checks, membership changes). */
  findById(id: string): Promise<User | null>;
  /** Any user by exact e-mail, any case (sign-in, inbound events, adding a member by e-mail). */
  findByEmail(email: string): Promise<User | null>;
  /**
   * The user if the viewer may see them (themself, or someone sharing a project with them),
   * else null: an invisible user and a missing one look the same.
   */
  findVisible(id: string, viewerId: string): Promise<User | null>;
  /**
   * Users visible to `query.viewerId` in e-mail-independent, stable order (by id). Throws
   * `ValidationError` on a bad cursor.
   */
  list(query: UserListQuery): Promise<Page<User>>;
}
