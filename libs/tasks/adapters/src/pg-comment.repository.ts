import type { IdGenerator, Page, WriteContext } from '@taskflow/platform-kernel';
import { Comment, type CommentRepository } from '@taskflow/tasks-domain';
import {
  appendOutbox,
  type Database,
  decodeCursor,
  pageOf,
  WriteBatch,
} from '@taskflow/platform-postgres';

interface CommentRow {
  id: string;
  task_id: string;
  project_id: string;
  author_id: string;
  body: string;
  created_at: Date;
}

const commentFromRow = (row: CommentRow): Comment =>
  Comment.rehydrate({
    id: row.id,
    taskId: row.task_id,
    projectId: row.project_id,
    authorId: row.author_id,
    body: row.body,
    createdAt: row.created_at.toISOString(),
  });

/** Comments in PostgreSQL. */
export class PgCommentRepository implements CommentRepository {
  constructor(
    private readonly db: Database,
    private readonly ids: IdGenerator,
  ) {}

  async add(comment: Comment, context: WriteContext): Promise<void> {
    const s = comment.snapshot();
    const batch = new WriteBatch(this.db.notifyChannel);
    batch.with(
      'comment_row',
      `INSERT INTO comments (id, task_id, project_id, author_id, body, created_at) VALUES (${batch.param(s.id)},
        ${batch.param(s.taskId)}, ${batch.param(s.projectId)}, ${batch.param(s.authorId)}, ${batch.param(s.body)},
        ${batch.param(s.createdAt, 'timestamptz')})`,
    );
    appendOutbox(batch, comment.pullEvents(), context, this.ids);
    await this.db.query(batch.toStatement());
    this.db.announce(batch.envelopes);
  }

  async listForTask(taskId: string, limit: number, cursor: string | null): Promise<Page<Comment>> {
    const { rows } = await this.db.query<CommentRow>({
      name: 'tf_comments_of_task',
      text: `SELECT id, task_id, project_id, author_id, body, created_at FROM comments
             WHERE task_id = $1 AND ($2::uuid IS NULL OR id > $2::uuid) ORDER BY id LIMIT $3`,
      values: [taskId, decodeCursor(cursor), limit + 1],
    });
    return pageOf(rows, limit, commentFromRow);
  }
}
