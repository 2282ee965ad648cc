import type { Page, WriteContext } from '@taskflow/shared-kernel';
import type { User } from './user.aggregate';

/** Filter and position of a user listing. */
export interface UserListQuery {
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
  findById(id: string): Promise<User | null>;
  findByEmail(email: string): Promise<User | null>;
  /** Users in e-mail-independent, stable order (by id). Throws `ValidationError` on a bad cursor. */
  list(query: UserListQuery): Promise<Page<User>>;
}
