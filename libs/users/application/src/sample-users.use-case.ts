import type { Clock, IdGenerator } from '@taskflow/platform-kernel';
import { type UserRepository, type UserSnapshot } from '@taskflow/users-domain';
import { UserUseCases } from './user.use-cases';

/** One sample user: a display name and an address at a reserved example domain (RFC 2606). */
export interface SampleUser {
  readonly name: string;
  readonly email: string;
}

/**
 * The sample users a deployment with sample data gets (the migrator creates them after the
 * migrations). Clearly fake: every address is at `example.com`, which cannot receive mail.
 */
export const SAMPLE_USERS: readonly SampleUser[] = [
  { name: 'Alice Example', email: 'alice@example.com' },
  { name: 'Bob Example', email: 'bob@example.com' },
  { name: 'Carol Example', email: 'carol@example.com' },
  { name: 'Dave Example', email: 'dave@example.com' },
  { name: 'Erin Example', email: 'erin@example.com' },
];

/** What {@link SampleUsers.ensure} found and did, each list in the order of the samples. */
export interface SampleUsersReport {
  /** Registered by this call. */
  readonly created: readonly UserSnapshot[];
  /** Already there with the same address (any case), left exactly as they were. */
  readonly kept: readonly UserSnapshot[];
}

/**
 * Ensures the sample users exist, idempotently: each missing one is registered through
 * {@link UserUseCases.ensureByEmail}, the path a first sign-in takes, so its row and its one
 * `user.created` outbox event are written as for any new user; a user who already has the
 * address is never changed, and a second call creates nothing.
 */
export class SampleUsers {
  constructor(
    private readonly users: UserRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly samples: readonly SampleUser[] = SAMPLE_USERS,
  ) {}

  /** Registers the missing sample users; `correlationId` goes on each one's event. */
  async ensure(correlationId: string | null): Promise<SampleUsersReport> {
    // ensureByEmail answers the user whether it registered them or found them (also when it
    // lost a race to a concurrent registration). It draws an id only to register, so a user
    // whose id this call drew is one this call created.
    const drawn = new Set<string>();
    const registry = new UserUseCases(this.users, this.clock, {
      next: () => {
        const id = this.ids.next();
        drawn.add(id);
        return id;
      },
    });
    const created: UserSnapshot[] = [];
    const kept: UserSnapshot[] = [];
    // One at a time: five short statements, and a report in the samples' order.
    for (const sample of this.samples) {
      const user = await registry.ensureByEmail(sample, correlationId);
      (drawn.has(user.id) ? created : kept).push(user);
    }
    return { created, kept };
  }
}
