import { schemas } from '@taskflow/platform-http';
import { EMAIL_MAX_LENGTH, USER_NAME_BOUNDS, UserSnapshotSchema } from '@taskflow/users-domain';
import { z } from 'zod';

export const CreateUserBody = z.strictObject({
  name: schemas.boundedText(USER_NAME_BOUNDS, 'Display name, trimmed.'),
  email: z.string().meta({
    maxLength: EMAIL_MAX_LENGTH,
    format: 'email',
    description: 'Unique, case-insensitively.',
  }),
});
export const ListUsersQuery = z.strictObject({
  limit: schemas.pageLimit,
  cursor: schemas.pageCursor,
  q: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'Substring of the name or e-mail, any case.' }),
});

// Response shapes (documentation only: the server builds them, it does not parse them).
export const UserResponse = UserSnapshotSchema;
export const UserPage = schemas.pageOf(UserSnapshotSchema);
