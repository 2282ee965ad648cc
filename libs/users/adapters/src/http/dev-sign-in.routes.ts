import { json, route, type Route, type TokenIssuer } from '@taskflow/platform-http';
import type { UserUseCases } from '@taskflow/users-application';
import { UserSnapshotSchema } from '@taskflow/users-domain';
import { z } from 'zod';
import { USER_EXAMPLES } from './user.openapi';
import { CreateUserBody } from './user.schemas';

/** What the development sign-in drives. */
export interface DevSignInDependencies {
  readonly users: UserUseCases;
  readonly tokens: TokenIssuer;
  /** Lifetime of the tokens it issues. */
  readonly ttlSeconds: number;
}

const DevSignInResponse = z.strictObject({
  token: z.string().meta({ description: 'A bearer token (HS256 JWT) for the user.' }),
  expiresAt: z.string().meta({ format: 'date-time', description: 'When the token expires.' }),
  user: UserSnapshotSchema,
});

/**
 * `POST /dev/sign-in`: a token for whoever names an e-mail address (registered first if new),
 * with no password. Only the local host in its default set-up (its own signing secret, no
 * external identity provider) serves it, so that the web board can sign in on a laptop; the
 * Lambda API never has it, and neither has a host that verifies an identity provider's tokens.
 */
export function devSignInRoutes(d: DevSignInDependencies): Route[] {
  return [
    route({
      method: 'POST',
      path: '/dev/sign-in',
      operationId: 'devSignIn',
      summary:
        'Development only (the local host in its default set-up): a token for an e-mail address, no password.',
      tag: 'users',
      auth: false,
      body: CreateUserBody,
      responses: { 200: { description: 'Signed in', schema: DevSignInResponse } },
      problems: { 400: ['INVALID_FIELD', 'INVALID_EMAIL'] },
      examples: {
        request: { name: 'Olivia Owner', email: 'olivia@example.com' },
        responses: {
          200: {
            token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…',
            expiresAt: '2026-12-07T12:00:00.000Z',
            user: USER_EXAMPLES.owner,
          },
        },
      },
      handle: async ({ body, context }) => {
        const user = await d.users.ensureByEmail(body, context.correlationId);
        const expiresAt = new Date(Date.now() + d.ttlSeconds * 1000).toISOString();
        return json(200, { token: await d.tokens.issue(user, d.ttlSeconds), expiresAt, user });
      },
    }),
  ];
}
