import type { Page, WriteContext } from '@taskflow/platform-kernel';
import { Comment, type CommentRepository } from '@taskflow/tasks-domain';
import { PgRepository } from '@taskflow/platform-postgres';

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
export class PgCommentRepository extends PgRepository implements CommentRepository {
  async add(comment: Comment, context: WriteContext): Promise<void> {
    const s = comment.snapshot();
    await this.write(comment, context, (batch) => {
      batch.with(
        'comment_row',
        `INSERT INTO comments (id, task_id, project_id, author_id, body, created_at) VALUES (${batch.param(s.id)},
          ${batch.param(s.taskId)}, ${batch.param(s.projectId)}, ${batch.param(s.authorId)}, ${batch.param(s.body)},
          ${batch.param(s.createdAt, 'timestamptz')})`,
      );
    });
  }

  async listForTask(taskId: string, limit: number, cursor: string | null): Promise<Page<Comment>> {
    return this.page(limit, cursor, commentFromRow, (after, rowLimit) =>
      this.db.query<CommentRow>({
        name: 'tf_comments_of_task',
        text: `SELECT id, task_id, project_id, author_id, body, created_at FROM comments
             WHERE task_id = $1 AND ($2::uuid IS NULL OR id > $2::uuid) ORDER BY id LIMIT $3`,
        values: [taskId, after, rowLimit],
      }),
    );
  }
}
