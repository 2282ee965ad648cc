import {
  type InMemoryUserPorts,
  inMemoryUserPorts,
  racingRegistration,
} from '@taskflow/users-testing';
import { Email, User, type userCreated } from '@taskflow/users-domain';
import { SAMPLE_USERS, SampleUsers } from './sample-users.use-case';
import { UserUseCases } from './user.use-cases';

function setUp(): { ports: InMemoryUserPorts; samples: SampleUsers } {
  const ports = inMemoryUserPorts();
  return { ports, samples: new SampleUsers(ports.users, ports.clock, ports.ids) };
}

const SAMPLE_EMAILS = SAMPLE_USERS.map((s) => s.email);

describe('SAMPLE_USERS', () => {
  it('are five people with distinct, valid addresses at example.com only', () => {
    // Assess
    expect(SAMPLE_USERS).toHaveLength(5);
    expect(new Set(SAMPLE_EMAILS.map((e) => e.toLowerCase())).size).toBe(5);
    for (const email of SAMPLE_EMAILS) {
      expect(Email.create(email).value).toBe(email);
      expect(email).toMatch(/@example\.com$/);
    }
  });
});

describe('SampleUsers.ensure', () => {
  it('registers every sample user once, each with one user.created event as at a first sign-in', async () => {
    // Prepare
    const { ports, samples } = setUp();
    const signUp = inMemoryUserPorts();
    await new UserUseCases(signUp.users, signUp.clock, signUp.ids).ensureByEmail(
      { name: 'Alice Example', email: 'alice@example.com' },
      'cfn-request-1',
    );

    // Act
    const report = await samples.ensure('cfn-request-1');

    // Assess
    expect(report.kept).toEqual([]);
    expect(report.created).toEqual(
      SAMPLE_USERS.map((s) => ({ id: expect.any(String), ...s, createdAt: expect.any(String) })),
    );
    expect(ports.users.size).toBe(5);
    const events = ports.users.storedEventsOf<typeof userCreated>('user.created');
    expect(events).toHaveLength(5);
    expect(events.map((e) => e.data.user)).toEqual(report.created);
    for (const event of events) {
      expect(event).toMatchObject({ actor: event.aggregateId, correlationId: 'cfn-request-1' });
    }
    // The same event as the sign-up path writes, ids aside.
    const [alice] = events;
    const [signedUp] = signUp.users.storedEventsOf<typeof userCreated>('user.created');
    const withoutIds = (e: typeof alice): unknown =>
      e && {
        ...e,
        id: null,
        aggregateId: null,
        actor: null,
        data: { user: { ...e.data.user, id: null } },
      };
    expect(signedUp).toBeDefined();
    expect(withoutIds(alice)).toEqual(withoutIds(signedUp));
  });

  it('creates and changes nothing the second time', async () => {
    // Prepare
    const { ports, samples } = setUp();
    const first = await samples.ensure('deploy-1');

    // Act
    const second = await samples.ensure('deploy-2');

    // Assess
    expect(second).toEqual({ created: [], kept: first.created });
    expect(ports.users.size).toBe(5);
    expect(ports.users.storedEvents).toHaveLength(5);
  });

  it('keeps a user who already has a sample address (in any case) as they are, and creates the others', async () => {
    // Prepare
    const { ports, samples } = setUp();
    const existing = await new UserUseCases(ports.users, ports.clock, ports.ids).ensureByEmail(
      { name: 'Real Carol', email: 'CAROL@example.com' },
      'sign-in',
    );

    // Act
    const report = await samples.ensure('deploy-1');

    // Assess
    expect(report.kept).toEqual([existing]);
    expect(report.created.map((u) => u.email)).toEqual(
      SAMPLE_EMAILS.filter((e) => e !== 'carol@example.com'),
    );
    expect(await ports.users.findByEmail('carol@example.com')).toEqual(
      User.rehydrate({ ...existing, version: 1 }),
    );
    expect(ports.users.storedEvents.map((e) => e.correlationId)).toEqual([
      'sign-in',
      ...Array<string>(4).fill('deploy-1'),
    ]);
  });

  it('counts a user a concurrent registration stored first as kept, not created', async () => {
    // Prepare
    const { ports, samples } = setUp();
    const winner = racingRegistration(ports, 'alice@example.com');

    // Act
    const report = await samples.ensure('deploy-1');

    // Assess
    expect(report.kept).toEqual([winner.snapshot()]);
    expect(report.created).toHaveLength(4);
    expect(ports.users.size).toBe(5);
    expect(ports.users.storedEventsOf<typeof userCreated>('user.created')).toHaveLength(5);
  });
});
