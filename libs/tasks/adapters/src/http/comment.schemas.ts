import { schemas } from '@taskflow/platform-http';
import { COMMENT_BODY_BOUNDS } from '@taskflow/tasks-domain';
import { z } from 'zod';

export const CreateCommentBody = z.strictObject({
  body: schemas.boundedText(COMMENT_BODY_BOUNDS, 'Trimmed.'),
});

// Response shapes (documentation only: the server builds them, it does not parse them).
export const CommentResponse = z.object({
  id: z.uuid(),
  taskId: z.uuid(),
  projectId: z.uuid(),
  authorId: z.uuid(),
  body: z.string(),
  createdAt: schemas.dateTime,
});
export const CommentPage = schemas.pageOf(CommentResponse);
