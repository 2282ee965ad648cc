import type { Page, WriteContext } from '@taskflow/platform-kernel';
import { Comment, type CommentRepository, type CommentSnapshot } from '@taskflow/tasks-domain';
import {
  byIdAscending,
  compareIds,
  later,
  pageAfter,
  requireUuid,
} from '@taskflow/platform-testing';
import { InMemoryStore, type InMemoryStoreOptions } from '@taskflow/platform-testing';

/**
 * An in-memory {@link CommentRepository} with the Postgres adapter's semantics: comments are
 * stored as snapshots with their `comment.added` events; `listForTask` is oldest first (by id)
 * with an opaque keyset cursor, a bad cursor being a `ValidationError` `INVALID_CURSOR`.
 */
export class InMemoryCommentRepository extends InMemoryStore implements CommentRepository {
  private readonly rows = new Map<string, CommentSnapshot>();

  constructor(options: InMemoryStoreOptions = {}) {
    super(options);
  }

  /** How many comments are stored. */
  get size(): number {
    return this.rows.size;
  }

  async add(comment: Comment, context: WriteContext): Promise<void> {
    const events = comment.pullEvents();
    const s = comment.snapshot();
    requireUuid(s.id, 'comments.id');
    await this.runConcurrentWriter();
    if (this.rows.has(s.id))
      throw new Error(`duplicate key value violates unique constraint "comments_pkey" (${s.id})`);
    this.rows.set(s.id, { ...s });
    this.record(events, context);
  }

  listForTask(taskId: string, limit: number, cursor: string | null): Promise<Page<Comment>> {
    return later(() => {
      requireUuid(taskId, 'comments.task_id');
      const ofTask = [...this.rows.values()]
        .filter((row) => row.taskId === taskId)
        .sort(byIdAscending);
      return pageAfter(
        ofTask,
        (id, after) => compareIds(id, after) > 0,
        limit,
        cursor,
        (row) => Comment.rehydrate({ ...row }),
      );
    });
  }
}
