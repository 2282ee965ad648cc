import { AuthenticationError } from '@taskflow/platform-http';
import { inMemoryUserPorts } from '@taskflow/users-testing';
import { UserUseCases } from '@taskflow/users-application';
import { User } from '@taskflow/users-domain';
import { UserIdentityResolver } from './user-identity.resolver';

function world(capacity?: number) {
  const ports = inMemoryUserPorts();
  const users = new UserUseCases(ports.users, ports.clock, ports.ids);
  const resolver = new UserIdentityResolver(users, capacity);
  const local = (userId: string) =>
    ({ kind: 'local', userId, expiresAtMs: Date.now() + 60_000 }) as const;
  return { ports, users, resolver, local };
}

describe('UserIdentityResolver', () => {
  it('refuses a local token whose user does not exist with USER_UNKNOWN', async () => {
    // Prepare
    const w = world();

    // Act
    const outcome = w.resolver.userIdOf(w.local('01890000-0000-7000-8000-00000000dead'), 'req');

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(AuthenticationError);
    await expect(outcome).rejects.toMatchObject({ code: 'USER_UNKNOWN' });
  });

  it('asks the store once for a user it has found, however often the token comes', async () => {
    // Prepare
    const w = world();
    const user = await w.users.ensureByEmail({ name: 'Ada', email: 'ada@example.com' }, null);
    const lookupsBefore = w.ports.users.findByIdCalls;

    // Act
    const ids = [];
    for (let i = 0; i < 5; i += 1) ids.push(await w.resolver.userIdOf(w.local(user.id), `r${i}`));

    // Assess
    expect(ids).toEqual(Array.from({ length: 5 }, () => user.id));
    expect(w.ports.users.findByIdCalls - lookupsBefore).toBe(1);
  });

  it('does not remember an unknown id: the user registered later is accepted', async () => {
    // Prepare
    const w = world();
    const id = '01890000-0000-7000-8000-0000000000b0';
    await expect(w.resolver.userIdOf(w.local(id), 'before')).rejects.toMatchObject({
      code: 'USER_UNKNOWN',
    });

    // Act
    await w.ports.users.add(
      User.create({
        id,
        name: 'Bo',
        email: 'bo@example.com',
        actorId: null,
        now: w.ports.clock.now(),
      }),
      { correlationId: null },
    );
    const resolved = await w.resolver.userIdOf(w.local(id), 'after');

    // Assess
    expect(resolved).toBe(id);
  });

  it('keeps at most `capacity` users, the oldest leaving first', async () => {
    // Prepare
    const w = world(1);
    const a = await w.users.ensureByEmail({ name: 'A', email: 'a@example.com' }, null);
    const b = await w.users.ensureByEmail({ name: 'B', email: 'b@example.com' }, null);
    const lookupsBefore = w.ports.users.findByIdCalls;

    // Act
    for (const id of [a.id, a.id, b.id, a.id]) await w.resolver.userIdOf(w.local(id), 'r');

    // Assess
    expect(w.ports.users.findByIdCalls - lookupsBefore).toBe(3);
  });
});
