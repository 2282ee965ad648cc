import {
  authenticatedRoute,
  createdResponse,
  examplePage,
  json,
  schemas,
  type Route,
} from '@taskflow/platform-http';
import type { UserUseCases } from '@taskflow/users-application';
import { USER_EXAMPLES } from './user.openapi';
import * as S from './user.schemas';

/** What the users routes drive. */
export interface UserRouteDependencies {
  readonly users: UserUseCases;
}

const { owner, editor } = USER_EXAMPLES;

/** The users routes: authenticated, under the `users` tag. */
const userRoute = authenticatedRoute('users');

/** The users routes, in matching order: `/users/me` before `/users/{id}`. */
export function userRoutes(d: UserRouteDependencies): Route[] {
  return [
    userRoute({
      method: 'POST',
      path: '/users',
      operationId: 'createUser',
      summary: 'Register a user.',
      body: S.CreateUserBody,
      requestHeaders: ['Idempotency-Key'],
      responses: { 201: createdResponse(S.UserResponse, false) },
      problems: { 400: ['INVALID_FIELD', 'INVALID_EMAIL'], 409: ['EMAIL_TAKEN'] },
      examples: {
        request: { name: 'Eddie Editor', email: 'eddie@example.com' },
        responses: { 201: editor },
      },
      handle: async ({ body, context }) => {
        const user = await d.users.register(body, context);
        return json(201, user, { location: `/users/${user.id}` });
      },
    }),
    userRoute({
      method: 'GET',
      path: '/users',
      operationId: 'listUsers',
      summary: 'The caller and the users who share a project with them.',
      query: S.ListUsersQuery,
      responses: { 200: { description: 'A page of users', schema: S.UserPage } },
      problems: { 400: ['INVALID_CURSOR'] },
      examples: { responses: { 200: examplePage([owner, editor]) } },
      handle: async ({ query, context }) =>
        json(
          200,
          await d.users.list(
            { limit: query.limit, cursor: query.cursor ?? null, q: query.q ?? null },
            context,
          ),
        ),
    }),
    userRoute({
      method: 'GET',
      path: '/users/me',
      operationId: 'getCurrentUser',
      summary: 'The caller.',
      responses: { 200: { description: 'The caller', schema: S.UserResponse } },
      // The caller exists (a token of an unknown user is 401 USER_UNKNOWN) and users are never deleted.
      problems: {},
      examples: { responses: { 200: owner } },
      handle: async ({ context }) => json(200, await d.users.get(context.actorId, context)),
    }),
    userRoute({
      method: 'GET',
      path: '/users/{id}',
      operationId: 'getUser',
      summary: 'One user: the caller, or someone sharing a project with them (else 404).',
      params: schemas.IdParams,
      responses: { 200: { description: 'The user', schema: S.UserResponse } },
      // Someone who shares no project with the caller is answered as if they did not exist.
      problems: { 404: ['USER_NOT_FOUND'] },
      examples: { responses: { 200: editor } },
      handle: async ({ params, context }) => json(200, await d.users.get(params.id, context)),
    }),
  ];
}
