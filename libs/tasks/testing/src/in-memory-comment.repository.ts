import type { Page, WriteContext } from '@taskflow/platform-kernel';
import { Comment, type CommentRepository, type CommentSnapshot } from '@taskflow/tasks-domain';
import {
  InMemoryTable,
  type InMemoryStoreOptions,
  later,
  requireUuid,
} from '@taskflow/platform-testing';

/**
 * An in-memory {@link CommentRepository} with the Postgres adapter's semantics: comments are
 * stored as snapshots with their `comment.added` events; `listForTask` is oldest first (by id)
 * with an opaque keyset cursor, a bad cursor being a `ValidationError` `INVALID_CURSOR`.
 */
export class InMemoryCommentRepository
  extends InMemoryTable<CommentSnapshot>
  implements CommentRepository
{
  constructor(options: InMemoryStoreOptions = {}) {
    super('comments', options);
  }

  async add(comment: Comment, context: WriteContext): Promise<void> {
    const events = comment.pullEvents();
    await this.insert({ ...comment.snapshot() }, events, context);
  }

  listForTask(taskId: string, limit: number, cursor: string | null): Promise<Page<Comment>> {
    return later(() => {
      requireUuid(taskId, 'comments.task_id');
      const ofTask = [...this.rows.values()].filter((row) => row.taskId === taskId);
      return this.pageOf(ofTask, 'asc', limit, cursor, (row) => Comment.rehydrate({ ...row }));
    });
  }
}
