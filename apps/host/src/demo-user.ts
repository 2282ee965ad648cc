import type { Host } from './composition';

/** The user the printed demo token speaks for. */
export const DEMO_USER = { email: 'demo@taskflow.local', name: 'Demo User' } as const;

/** A token for a user found by e-mail (registered first if missing). */
export async function tokenFor(
  host: Host,
  email: string,
  name: string,
  ttlSeconds: number,
): Promise<string> {
  const user = await host.users.ensureByEmail({ email, name }, 'cli');
  return host.tokens.issue(user, ttlSeconds);
}
