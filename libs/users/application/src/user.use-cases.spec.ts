import type { RequestContext } from '@taskflow/platform-ports';
import { ConflictError, NotFoundError, ValidationError } from '@taskflow/platform-kernel';
import {
  type InMemoryUserPorts,
  inMemoryUserPorts,
  racingRegistration,
} from '@taskflow/users-testing';
import { InMemoryUserRepository, type ProjectCoMembership } from '@taskflow/users-testing';
import { expectRejection } from '@taskflow/platform-testing';
import { UserUseCases } from './user.use-cases';

const ADMIN = '0190a5f2-7c3e-7abc-8def-0000000000ad';
const UNKNOWN = '0190a5f2-7c3e-7abc-8def-00000000dead';
const context: RequestContext = { actorId: ADMIN, correlationId: 'req-1' };

function setUp(): { ports: InMemoryUserPorts; users: UserUseCases } {
  const ports = inMemoryUserPorts();
  return { ports, users: new UserUseCases(ports.users, ports.clock, ports.ids) };
}

/** One team whose members all share a project (the users context knows no projects). */
class Team implements ProjectCoMembership {
  private readonly members = new Set<string>([ADMIN]);
  join(userId: string): void {
    this.members.add(userId);
  }
  sharesProject(userId: string, otherId: string): boolean {
    return this.members.has(userId) && this.members.has(otherId);
  }
}

/** User use cases over a store whose directory rule follows `team`. */
function withTeam(): { team: Team; store: InMemoryUserRepository; users: UserUseCases } {
  const ports = inMemoryUserPorts();
  const team = new Team();
  const store = new InMemoryUserRepository({ projects: team });
  return { team, store, users: new UserUseCases(store, ports.clock, ports.ids) };
}

describe('UserUseCases.register', () => {
  it('stores the user and its user.created event with the correlation id', async () => {
    // Prepare
    const { ports, users } = setUp();

    // Act
    const user = await users.register({ name: ' Ada ', email: ' Ada@Example.com ' }, context);

    // Assess
    expect(user).toEqual({
      id: user.id,
      name: 'Ada',
      email: 'Ada@Example.com',
      createdAt: ports.clock.now().toISOString(),
    });
    expect(await users.get(user.id, { actorId: user.id, correlationId: null })).toEqual(user);
    expect(ports.users.storedEvents).toMatchObject([
      {
        type: 'user.created',
        aggregateId: user.id,
        actor: ADMIN,
        correlationId: 'req-1',
        data: { user },
      },
    ]);
  });

  it.each([
    { case: 'the same address', email: 'ada@example.com' },
    { case: 'the address in other case', email: 'ADA@Example.COM' },
    { case: 'the address with whitespace', email: '  ada@example.com ' },
  ])('refuses $case again with 409 EMAIL_TAKEN, storing nothing', async ({ email }) => {
    // Prepare
    const { ports, users } = setUp();
    await users.register({ name: 'Ada', email: 'ada@example.com' }, context);

    // Act
    const outcome = users.register({ name: 'Other Ada', email }, context);

    // Assess
    await expectRejection(outcome, ConflictError, 'EMAIL_TAKEN');
    expect(ports.users.size).toBe(1);
    expect(ports.users.storedEvents).toHaveLength(1);
  });

  it('refuses invalid input before storing anything', async () => {
    // Prepare
    const { ports, users } = setUp();

    // Act
    const outcome = users.register({ name: 'Ada', email: 'not-an-address' }, context);

    // Assess
    await expectRejection(outcome, ValidationError, 'INVALID_EMAIL');
    expect(ports.users.size).toBe(0);
  });
});

describe('UserUseCases.ensureByEmail', () => {
  it('registers a user the first time, without an actor of its own', async () => {
    // Prepare
    const { ports, users } = setUp();

    // Act
    const user = await users.ensureByEmail({ name: 'Ada', email: 'ada@example.com' }, 'evt-9');

    // Assess
    expect(user).toMatchObject({ name: 'Ada', email: 'ada@example.com' });
    expect(ports.users.storedEvents).toMatchObject([
      { type: 'user.created', actor: user.id, correlationId: 'evt-9' },
    ]);
  });

  it('answers the existing user on later calls, in any case, storing nothing new', async () => {
    // Prepare
    const { ports, users } = setUp();
    const first = await users.ensureByEmail({ name: 'Ada', email: 'ada@example.com' }, null);

    // Act
    const again = await users.ensureByEmail(
      { name: 'Someone Else', email: ' ADA@example.com ' },
      null,
    );

    // Assess
    expect(again).toEqual(first);
    expect(ports.users.size).toBe(1);
    expect(ports.users.storedEventsOf('user.created')).toHaveLength(1);
  });

  it('gives two concurrent calls the same user', async () => {
    // Prepare
    const { ports, users } = setUp();

    // Act
    const [a, b] = await Promise.all([
      users.ensureByEmail({ name: 'Ada', email: 'ada@example.com' }, 'req-a'),
      users.ensureByEmail({ name: 'Ada L.', email: 'Ada@Example.com' }, 'req-b'),
    ]);

    // Assess
    expect(ports.ids.issued).toBe(2); // both looked up before either stored: the race was run
    expect(b).toEqual(a);
    expect(ports.users.size).toBe(1);
    expect(ports.users.storedEventsOf('user.created')).toHaveLength(1);
  });

  it('answers the winner when a concurrent registration lands between its lookup and its insert', async () => {
    // Prepare
    const { ports, users } = setUp();
    const winner = racingRegistration(ports, 'ADA@example.com');

    // Act
    const user = await users.ensureByEmail({ name: 'Ada', email: 'ada@example.com' }, 'req-1');

    // Assess
    expect(user).toEqual(winner.snapshot());
    expect(ports.users.size).toBe(1);
    expect(ports.users.storedEvents.map((e) => e.correlationId)).toEqual(['other-process']);
  });

  it('still reports a failure that is not a lost race', async () => {
    // Prepare
    const { users } = setUp();

    // Act
    const outcome = users.ensureByEmail({ name: '', email: 'ada@example.com' }, null);

    // Assess
    await expect(outcome).rejects.toMatchObject({
      code: 'INVALID_FIELD',
      issues: [{ path: 'name' }],
    });
  });
});

describe('UserUseCases.get', () => {
  it('answers 404 USER_NOT_FOUND for an unknown id', async () => {
    // Prepare
    const { users } = setUp();

    // Act
    const outcome = users.get(UNKNOWN, context);

    // Assess
    await expectRejection(outcome, NotFoundError, 'USER_NOT_FOUND');
  });

  it('answers the caller themself and a co-member, and 404 for anyone else', async () => {
    // Prepare
    const { team, users } = withTeam();
    const mate = await users.register({ name: 'Mate', email: 'mate@example.com' }, context);
    const outsider = await users.register({ name: 'Out', email: 'out@example.com' }, context);
    team.join(mate.id);
    const asMate: RequestContext = { actorId: mate.id, correlationId: null };
    const asOutsider: RequestContext = { actorId: outsider.id, correlationId: null };

    // Act
    const mateSeesThemself = await users.get(mate.id, asMate);
    const adminSeesMate = await users.get(mate.id, context);
    const adminSeesOutsider = users.get(outsider.id, context);
    const outsiderSeesMate = users.get(mate.id, asOutsider);

    // Assess
    expect([mateSeesThemself, adminSeesMate]).toEqual([mate, mate]);
    await expect(adminSeesOutsider).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    await expect(outsiderSeesMate).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });
});

describe('UserUseCases.list', () => {
  /** `count` users in the admin's team, and one outsider registered between them. */
  async function registered(count: number): Promise<{ users: UserUseCases; ids: string[] }> {
    const { team, users } = withTeam();
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const user = await users.register(
        { name: `User ${i}`, email: `user${i}@example.com` },
        context,
      );
      team.join(user.id);
      ids.push(user.id);
      if (i === 0) await users.register({ name: 'User X', email: 'userx@example.com' }, context);
    }
    return { users, ids };
  }

  it('pages through every user the caller shares a project with, oldest first, each once', async () => {
    // Prepare
    const { users, ids } = await registered(5);

    // Act
    const first = await users.list({ limit: 2, cursor: null, q: null }, context);
    const second = await users.list({ limit: 2, cursor: first.nextCursor, q: null }, context);
    const third = await users.list({ limit: 2, cursor: second.nextCursor, q: null }, context);

    // Assess
    expect([first, second, third].map((p) => p.items.map((u) => u.id))).toEqual([
      ids.slice(0, 2),
      ids.slice(2, 4),
      ids.slice(4),
    ]);
    expect(third.nextCursor).toBeNull();
  });

  it('has no next page when the last page is exactly full', async () => {
    // Prepare
    const { users } = await registered(2);

    // Act
    const page = await users.list({ limit: 2, cursor: null, q: null }, context);

    // Assess
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toBeNull();
  });

  it.each([
    { q: 'USER 3', expected: ['user3@example.com'] },
    { q: 'user1@', expected: ['user1@example.com'] },
    { q: 'nobody', expected: [] },
    { q: 'userx', expected: [] },
  ])('filters by name or e-mail, ignoring case ($q)', async ({ q, expected }) => {
    // Prepare
    const { users } = await registered(4);

    // Act
    const page = await users.list({ limit: 10, cursor: null, q }, context);

    // Assess
    expect(page.items.map((u) => u.email)).toEqual(expected);
  });

  it('refuses a cursor it did not issue (INVALID_CURSOR on cursor)', async () => {
    // Prepare
    const { users } = await registered(1);

    // Act
    const outcome = users.list({ limit: 10, cursor: 'bm90LWEtY3Vyc29y', q: null }, context);

    // Assess
    await expectRejection(outcome, ValidationError, 'INVALID_CURSOR', {
      issues: [{ path: 'cursor' }],
    });
  });
});
