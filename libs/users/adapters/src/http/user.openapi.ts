import { type OpenApiDocumentation } from '@taskflow/platform-http';
import * as S from './user.schemas';

const OWNER_ID = '0f8b5c2e-3a4d-4b6e-9c7f-1a2b3c4d5e6f';
const EDITOR_ID = '5d2c7b1a-8e9f-4a3b-b6c5-d4e3f2a1b0c9';
const AT = '2026-03-02T09:15:00.000Z';

/**
 * The users of the document's examples, for every context's examples to name: a project's
 * owner and an editor.
 */
export const USER_EXAMPLES = {
  owner: { id: OWNER_ID, name: 'Olive Owner', email: 'olive@example.com', createdAt: AT },
  editor: { id: EDITOR_ID, name: 'Eddie Editor', email: 'eddie@example.com', createdAt: AT },
} as const;

/** What the users context adds to the OpenAPI document besides its routes. */
export const USER_OPENAPI: OpenApiDocumentation = {
  tags: [{ name: 'users', description: 'People who can be members of projects.' }],
  schemas: [
    [S.UserResponse, 'User'],
    [S.UserPage, 'UserPage'],
  ],
  problemDetails: {
    INVALID_EMAIL: 'email: must be a valid e-mail address',
    USER_NOT_FOUND: `user ${EDITOR_ID} not found`,
    EMAIL_TAKEN: 'a user with this e-mail already exists',
  },
};
