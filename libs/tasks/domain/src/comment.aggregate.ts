import { AggregateRoot, pendingEvent } from '@taskflow/platform-events';
import type { ProjectAccess } from '@taskflow/projects-domain';
import { boundedText } from '@taskflow/platform-kernel';
import { type TaskEvent, commentAdded } from './task.events';

/** Bounds of a comment's body, in characters, after trimming. */
export const COMMENT_BODY_BOUNDS = { min: 1, max: 10_000 } as const;

/** The public shape of a comment. */
export interface CommentSnapshot {
  readonly id: string;
  readonly taskId: string;
  readonly projectId: string;
  readonly authorId: string;
  readonly body: string;
  readonly createdAt: string;
}

/** A remark on a task by a project owner or editor. Comments are immutable once written. */
export class Comment extends AggregateRoot<TaskEvent> {
  private constructor(private readonly props: CommentSnapshot) {
    super(props.id);
  }

  /** Writes a comment on a (not deleted) task; raises `comment.added`. */
  static create(input: {
    id: string;
    taskId: string;
    projectId: string;
    body: string;
    authorId: string;
    access: ProjectAccess;
    now: Date;
  }): Comment {
    input.access.requireWriter(input.authorId);
    const body = boundedText('body', input.body, { ...COMMENT_BODY_BOUNDS, trim: true });
    const createdAt = input.now.toISOString();
    const comment = new Comment({
      id: input.id,
      taskId: input.taskId,
      projectId: input.projectId,
      authorId: input.authorId,
      body,
      createdAt,
    });
    const data = {
      commentId: input.id,
      taskId: input.taskId,
      authorId: input.authorId,
      body,
      createdAt,
    };
    comment.record(
      pendingEvent(commentAdded, data, {
        aggregateId: input.id,
        aggregateVersion: 1,
        projectId: input.projectId,
        actor: input.authorId,
        occurredAt: createdAt,
      }),
    );
    return comment;
  }

  /** Rebuilds a comment from storage; raises nothing. */
  static rehydrate(props: CommentSnapshot): Comment {
    return new Comment(props);
  }

  snapshot(): CommentSnapshot {
    return { ...this.props };
  }
}
