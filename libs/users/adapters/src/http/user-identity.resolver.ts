import {
  AuthenticationError,
  type IdentityResolver,
  type VerifiedIdentity,
} from '@taskflow/platform-http';
import type { UserUseCases } from '@taskflow/users-application';

/**
 * Maps tokens to users. Taskflow's own tokens carry the user id, which must name a stored user
 * (else 401 `USER_UNKNOWN`: a signature proves who issued the token, not that its user exists);
 * an external provider's carry an e-mail, whose user is found (or registered on first sign-in).
 * Both answers are remembered, at most `capacity` of each: users are never deleted, so a user
 * once found stays valid and a repeated token costs no query.
 */
export class UserIdentityResolver implements IdentityResolver {
  private readonly known = new Map<string, string>();
  private readonly existing = new Set<string>();

  constructor(
    private readonly users: UserUseCases,
    private readonly capacity = 10_000,
  ) {}

  async userIdOf(identity: VerifiedIdentity, correlationId: string): Promise<string> {
    if (identity.kind === 'local') return this.existingUser(identity.userId);
    const cached = this.known.get(identity.subject);
    if (cached !== undefined) return cached;
    const user = await this.users.ensureByEmail(
      {
        email: identity.email,
        name: identity.name ?? identity.email.split('@')[0] ?? identity.email,
      },
      correlationId,
    );
    // Oldest entry out first: Map iteration follows insertion order.
    if (this.known.size >= this.capacity) this.known.delete(this.known.keys().next().value ?? '');
    this.known.set(identity.subject, user.id);
    return user.id;
  }

  private async existingUser(userId: string): Promise<string> {
    if (this.existing.has(userId)) return userId;
    // Unknown ids are not remembered: the user may be registered a moment later.
    if (!(await this.users.exists(userId))) {
      throw new AuthenticationError('USER_UNKNOWN', 'the token names no user Taskflow knows');
    }
    if (this.existing.size >= this.capacity)
      this.existing.delete(this.existing.values().next().value ?? '');
    this.existing.add(userId);
    return userId;
  }
}
