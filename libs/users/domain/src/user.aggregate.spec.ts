import { UserSnapshotSchema } from './user.events';
import { USER_NAME_BOUNDS, User } from './user.aggregate';
import { errorOf } from '@taskflow/platform-assertions';
import { itRefusesTextOutOfBounds } from '@taskflow/platform-testing';

const USER_ID = '0190a5f2-7c3e-7abc-8def-000000000001';
const ADMIN_ID = '0190a5f2-7c3e-7abc-8def-000000000002';
const NOW = new Date('2025-03-01T09:30:00.000Z');

/** Ada registering herself at NOW. */
const ADA = { id: USER_ID, name: 'Ada', email: 'ada@example.com', actorId: null, now: NOW };

/** Ada's registration, with anything else as given. */
const registered = (input: Partial<Parameters<typeof User.create>[0]> = {}): User =>
  User.create({ ...ADA, ...input });

describe('User.create', () => {
  it('registers the user and raises exactly one user.created with its snapshot', () => {
    // Act
    const user = registered({ name: '  Ada  ', email: ' Ada@Example.com ', actorId: ADMIN_ID });

    // Assess
    const snapshot = {
      id: USER_ID,
      name: 'Ada',
      email: 'Ada@Example.com',
      createdAt: '2025-03-01T09:30:00.000Z',
    };
    expect(user.snapshot()).toEqual(snapshot);
    expect(UserSnapshotSchema.safeParse(user.snapshot()).success).toBe(true);
    expect(user.pullEvents()).toEqual([
      {
        type: 'user.created',
        schemaVersion: 1,
        data: { user: snapshot },
        aggregateId: USER_ID,
        aggregateVersion: 1,
        projectId: null,
        actor: ADMIN_ID,
        occurredAt: '2025-03-01T09:30:00.000Z',
      },
    ]);
  });

  it('names the user as the actor of a self-registration', () => {
    // Act
    const user = registered();

    // Assess
    expect(user.pullEvents().map((e) => e.actor)).toEqual([USER_ID]);
  });

  it('forgets its events once pulled', () => {
    // Prepare
    const user = registered();
    user.pullEvents();

    // Act
    const again = user.pullEvents();

    // Assess
    expect(again).toEqual([]);
  });

  it.each([
    { case: 'one character', name: 'A', expected: 'A' },
    {
      case: 'the maximum',
      name: 'n'.repeat(USER_NAME_BOUNDS.max),
      expected: 'n'.repeat(USER_NAME_BOUNDS.max),
    },
    {
      case: 'the maximum in emoji',
      name: '🙂'.repeat(USER_NAME_BOUNDS.max),
      expected: '🙂'.repeat(USER_NAME_BOUNDS.max),
    },
    {
      case: 'the maximum once trimmed',
      name: ` ${'n'.repeat(USER_NAME_BOUNDS.max)} `,
      expected: 'n'.repeat(USER_NAME_BOUNDS.max),
    },
  ])('accepts a name of $case', ({ name, expected }) => {
    // Act
    const user = registered({ name });

    // Assess
    expect(user.snapshot().name).toBe(expected);
  });

  itRefusesTextOutOfBounds(
    { path: 'name', max: USER_NAME_BOUNDS.max, tooLong: 'must be at most 100 characters' },
    (name) => registered({ name }),
  );

  it('rejects an invalid e-mail', () => {
    // Act
    const error = errorOf(() => registered({ email: 'ada' }));

    // Assess
    expect(error).toMatchObject({ code: 'INVALID_EMAIL', issues: [{ path: 'email' }] });
  });
});

describe('User.rehydrate', () => {
  it('rebuilds the stored user without raising events', () => {
    // Act
    const user = User.rehydrate({
      id: USER_ID,
      name: 'Ada',
      email: 'ada@example.com',
      version: 1,
      createdAt: '2025-03-01T09:30:00.000Z',
    });

    // Assess
    expect(user.id).toBe(USER_ID);
    expect(user.email).toBe('ada@example.com');
    expect(user.snapshot()).toEqual({
      id: USER_ID,
      name: 'Ada',
      email: 'ada@example.com',
      createdAt: '2025-03-01T09:30:00.000Z',
    });
    expect(user.pullEvents()).toEqual([]);
  });
});
