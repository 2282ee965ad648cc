import { ConflictError, type Page, type WriteContext } from '@taskflow/platform-kernel';
import { User, type UserListQuery, type UserRepository } from '@taskflow/users-domain';
import {
  appendOutbox,
  containsPattern,
  decodeCursor,
  isUniqueViolation,
  pageOf,
  PgRepository,
} from '@taskflow/platform-postgres';

interface UserRow {
  id: string;
  name: string;
  email: string;
  version: number;
  created_at: Date;
}

const USER_COLUMNS = 'id, name, email, version, created_at';

// Who the viewer ($1) may see: themself and everyone sharing at least one project with them.
// Both sides ride an index: project_members_user_idx for the viewer's projects, the primary key
// (project_id, user_id) for the other member.
const VISIBLE_TO_VIEWER = `(users.id = $1::uuid OR EXISTS (
    SELECT 1 FROM project_members mine
    JOIN project_members theirs ON theirs.project_id = mine.project_id
    WHERE mine.user_id = $1::uuid AND theirs.user_id = users.id))`;

const userFromRow = (row: UserRow): User =>
  User.rehydrate({
    id: row.id,
    name: row.name,
    email: row.email,
    version: row.version,
    createdAt: row.created_at.toISOString(),
  });

/** Users in PostgreSQL; e-mail uniqueness is the `users_email_lower_key` index. */
export class PgUserRepository extends PgRepository implements UserRepository {
  async add(user: User, context: WriteContext): Promise<void> {
    const s = user.snapshot();
    const batch = this.newBatch();
    // On PostgreSQL a taken address writes nothing instead of failing: inside a transaction (the
    // task processor registers the people an event names) a unique violation would abort the
    // whole transaction, and the caller could not even read the winner. DSQL resolves the race
    // at commit instead.
    const onConflict =
      this.db.config.dialect === 'postgres' ? ' ON CONFLICT (email_lower) DO NOTHING' : '';
    batch.guardedBy(
      'user_row',
      `INSERT INTO users (id, name, email, email_lower, version, created_at) VALUES (${batch.param(s.id)}, ${batch.param(s.name)},
        ${batch.param(s.email)}, ${batch.param(s.email.toLowerCase())}, 1, ${batch.param(s.createdAt, 'timestamptz')})${onConflict}
       RETURNING id`,
    );
    appendOutbox(batch, user.pullEvents(), context, this.ids);
    try {
      const { rows } = await this.db.query<{ inserted: number }>(
        batch.toStatement('SELECT count(*) AS inserted FROM user_row'),
      );
      if (rows[0]?.inserted !== 1) {
        throw new ConflictError('EMAIL_TAKEN', 'a user with this e-mail already exists');
      }
      this.db.announce(batch.envelopes);
    } catch (error) {
      if (error instanceof ConflictError) throw error;
      // Decided by SQLSTATE and constraint name, never by message text.
      if (isUniqueViolation(error, 'users_email_lower_key')) {
        throw new ConflictError('EMAIL_TAKEN', 'a user with this e-mail already exists');
      }
      throw error;
    }
  }

  async findById(id: string): Promise<User | null> {
    const { rows } = await this.db.query<UserRow>({
      name: 'tf_user_by_id',
      text: `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`,
      values: [id],
    });
    return rows[0] ? userFromRow(rows[0]) : null;
  }

  async findByEmail(email: string): Promise<User | null> {
    const { rows } = await this.db.query<UserRow>({
      name: 'tf_user_by_email',
      text: `SELECT ${USER_COLUMNS} FROM users WHERE email_lower = $1`,
      values: [email.trim().toLowerCase()],
    });
    return rows[0] ? userFromRow(rows[0]) : null;
  }

  async findVisible(id: string, viewerId: string): Promise<User | null> {
    const { rows } = await this.db.query<UserRow>({
      name: 'tf_user_visible',
      text: `SELECT ${USER_COLUMNS} FROM users WHERE users.id = $2::uuid AND ${VISIBLE_TO_VIEWER}`,
      values: [viewerId, id],
    });
    return rows[0] ? userFromRow(rows[0]) : null;
  }

  async list(query: UserListQuery): Promise<Page<User>> {
    const values: unknown[] = [query.viewerId];
    const where: string[] = [VISIBLE_TO_VIEWER];
    const after = decodeCursor(query.cursor);
    if (after !== null) {
      values.push(after);
      where.push(`id > $${values.length}::uuid`);
    }
    if (query.q !== null) {
      values.push(containsPattern(query.q));
      where.push(`(name ILIKE $${values.length} OR email ILIKE $${values.length})`);
    }
    values.push(query.limit + 1);
    const text = `SELECT ${USER_COLUMNS} FROM users WHERE ${where.join(' AND ')} ORDER BY id LIMIT $${values.length}`;
    const { rows } = await this.db.query<UserRow>({ text, values });
    return pageOf(rows, query.limit, userFromRow);
  }
}
