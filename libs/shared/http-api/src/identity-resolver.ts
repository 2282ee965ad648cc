import type { UserUseCases } from '@taskflow/users-application';
import type { VerifiedIdentity } from './auth/token-verifier';
import type { IdentityResolver } from './http-api';

/**
 * Maps tokens to users. Taskflow's own tokens carry the user id; an external provider's carry an
 * e-mail, whose user is found (or registered on first sign-in) once and then remembered.
 */
export class UserIdentityResolver implements IdentityResolver {
  private readonly known = new Map<string, string>();

  constructor(
    private readonly users: UserUseCases,
    private readonly capacity = 10_000,
  ) {}

  async userIdOf(identity: VerifiedIdentity, correlationId: string): Promise<string> {
    if (identity.kind === 'local') return identity.userId;
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
}
