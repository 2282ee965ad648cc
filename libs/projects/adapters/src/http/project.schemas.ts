import { schemas } from '@taskflow/platform-http';
import { PROJECT_NAME_BOUNDS, ProjectRoleSchema } from '@taskflow/projects-domain';
import { EMAIL_MAX_LENGTH } from '@taskflow/users-domain';
import { z } from 'zod';

export const MemberParams = z.strictObject({ id: z.uuid(), userId: z.uuid() });

export const CreateProjectBody = z.strictObject({
  name: schemas.boundedText(PROJECT_NAME_BOUNDS, 'Project name, trimmed.'),
});
/** A member named by id or by exact e-mail: exactly one of the two. */
export const AddMemberBody = z
  .strictObject({
    userId: z.uuid().optional().meta({ description: 'The user to add; or send `email`.' }),
    email: z.string().optional().meta({
      maxLength: EMAIL_MAX_LENGTH,
      format: 'email',
      description: 'The exact e-mail (any case) of the user to add; or send `userId`.',
    }),
    role: ProjectRoleSchema,
  })
  // Narrowed to one of the two shapes the projects use cases take.
  .transform(({ userId, email, role }, context) => {
    if (userId !== undefined && email === undefined) return { userId, role };
    if (email !== undefined && userId === undefined) return { email, role };
    context.addIssue({
      code: 'custom',
      path: [email === undefined ? 'userId' : 'email'],
      message: email === undefined ? 'send userId or email' : 'send userId or email, not both',
    });
    return z.NEVER;
  });

/** A member's new role. */
export const ChangeMemberRoleBody = z.strictObject({ role: ProjectRoleSchema });

export const StreamTicketResponse = z.object({
  ticket: z.string(),
  expiresAt: schemas.dateTime,
  streamUrl: z.string(),
});
export const StreamQuery = z.strictObject({
  ticket: z
    .string()
    .optional()
    .meta({ description: 'A stream ticket (POST /projects/{id}/stream-tickets).' }),
  lastEventId: z
    .string()
    .optional()
    .meta({ description: 'Resume position, for clients that cannot send Last-Event-ID.' }),
});

// Response shapes (documentation only: the server builds them, it does not parse them).
export const MemberSchema = z.object({
  userId: z.uuid(),
  role: ProjectRoleSchema,
  addedAt: schemas.dateTime,
});
export const ProjectResponse = z.object({
  id: z.uuid(),
  name: z.string(),
  createdBy: z.uuid(),
  createdAt: schemas.dateTime,
  updatedAt: schemas.dateTime,
  version: z.int(),
  members: z.array(MemberSchema),
});
export const ProjectPage = schemas.pageOf(ProjectResponse);
