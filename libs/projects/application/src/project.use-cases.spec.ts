import type { RequestContext } from '@taskflow/platform-ports';
import {
  type ProjectRole,
  type ProjectSnapshot,
  type projectMemberAdded,
} from '@taskflow/projects-domain';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '@taskflow/platform-kernel';
import { CountingTransactionRunner, expectRejection } from '@taskflow/platform-testing';
import { type InMemoryProjectPorts, inMemoryProjectPorts } from '@taskflow/projects-testing';
import { UserUseCases } from '@taskflow/users-application';
import {
  type MemberDepartures,
  type MembershipPolicies,
  ProjectUseCases,
} from './project.use-cases';

interface World {
  readonly ports: InMemoryProjectPorts;
  readonly projects: ProjectUseCases;
  readonly as: (userId: string) => RequestContext;
  readonly owner: string;
  readonly alice: string;
  readonly bob: string;
  readonly carol: string;
}

/** Four registered users; `owner` will create the projects. */
async function setUp(): Promise<World> {
  const ports = inMemoryProjectPorts();
  const users = new UserUseCases(ports.users, ports.clock, ports.ids);
  const register = async (name: string): Promise<string> =>
    (
      await users.register(
        { name, email: `${name.toLowerCase()}@example.com` },
        { actorId: ports.ids.next(), correlationId: null },
      )
    ).id;
  return {
    ports,
    projects: new ProjectUseCases(ports.projects, ports.users, ports.clock, ports.ids),
    as: (userId) => ({ actorId: userId, correlationId: `req-of-${userId.slice(-4)}` }),
    owner: await register('Owner'),
    alice: await register('Alice'),
    bob: await register('Bob'),
    carol: await register('Carol'),
  };
}

/** A project of `owner` with the given members, built through the use cases. */
async function projectWith(
  w: World,
  members: readonly [string, ProjectRole][] = [],
): Promise<string> {
  const { id } = await w.projects.create({ name: 'Apollo' }, w.as(w.owner));
  for (const [userId, role] of members)
    await w.projects.addMember({ projectId: id, userId, role }, w.as(w.owner));
  return id;
}

const UNKNOWN = '0190a5f2-7c3e-7abc-8def-00000000dead';

/**
 * A project as a later read shows it: stored members come back by join time, then by id, which
 * for members who joined in the same millisecond need not be the order the command added them.
 */
function asStored(project: ProjectSnapshot): ProjectSnapshot {
  return {
    ...project,
    members: [...project.members].sort(
      (a, b) => a.addedAt.localeCompare(b.addedAt) || a.userId.localeCompare(b.userId),
    ),
  };
}

describe('ProjectUseCases.create', () => {
  it('stores the project owned by the actor, with its two events', async () => {
    // Prepare
    const w = await setUp();

    // Act
    const project = await w.projects.create({ name: ' Apollo ' }, w.as(w.owner));

    // Assess
    expect(project).toMatchObject({
      name: 'Apollo',
      createdBy: w.owner,
      version: 1,
      members: [{ userId: w.owner, role: 'owner' }],
    });
    expect(await w.projects.get(project.id, w.as(w.owner))).toEqual(project);
    expect(w.ports.projects.storedEvents).toMatchObject([
      {
        type: 'project.created',
        aggregateId: project.id,
        correlationId: w.as(w.owner).correlationId,
      },
      { type: 'project.member_added', data: { userId: w.owner, role: 'owner' } },
    ]);
  });

  it('refuses an invalid name, storing nothing', async () => {
    // Prepare
    const w = await setUp();

    // Act
    const outcome = w.projects.create({ name: '  ' }, w.as(w.owner));

    // Assess
    await expect(outcome).rejects.toThrow(ValidationError);
    expect(w.ports.projects.storedEvents).toEqual([]);
  });
});

describe('ProjectUseCases.get', () => {
  it.each([
    { who: 'an editor', role: 'editor' as const },
    { who: 'a viewer', role: 'viewer' as const },
  ])('shows the project to $who', async ({ role }) => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w, [[w.alice, role]]);

    // Act
    const project = await w.projects.get(projectId, w.as(w.alice));

    // Assess
    expect(project.members.map((m) => [m.userId, m.role])).toEqual([
      [w.owner, 'owner'],
      [w.alice, role],
    ]);
  });

  it('answers a non-member exactly as for a project that does not exist (404 PROJECT_NOT_FOUND)', async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w);

    // Act
    const hidden = w.projects.get(projectId, w.as(w.alice));
    const missing = w.projects.get(UNKNOWN, w.as(w.alice));

    // Assess
    await expectRejection(hidden, NotFoundError, 'PROJECT_NOT_FOUND');
    await expect(missing).rejects.toMatchObject({ code: 'PROJECT_NOT_FOUND' });
  });
});

describe('ProjectUseCases.listMine', () => {
  it("pages through just the actor's projects, oldest first", async () => {
    // Prepare
    const w = await setUp();
    const mine = [
      await projectWith(w, [[w.alice, 'viewer']]),
      await projectWith(w, [[w.alice, 'editor']]),
    ];
    await projectWith(w);
    mine.push(await projectWith(w, [[w.alice, 'owner']]));

    // Act
    const first = await w.projects.listMine(2, null, w.as(w.alice));
    const second = await w.projects.listMine(2, first.nextCursor, w.as(w.alice));

    // Assess
    expect([...first.items, ...second.items].map((p) => p.id)).toEqual(mine);
    expect(first.nextCursor).not.toBeNull();
    expect(second.nextCursor).toBeNull();
  });

  it('is empty for a user without projects', async () => {
    // Prepare
    const w = await setUp();
    await projectWith(w);

    // Act
    const page = await w.projects.listMine(10, null, w.as(w.bob));

    // Assess
    expect(page).toEqual({ items: [], nextCursor: null });
  });

  it('refuses a cursor it did not issue (INVALID_CURSOR on cursor)', async () => {
    // Prepare
    const w = await setUp();

    // Act
    const outcome = w.projects.listMine(10, '%%%', w.as(w.owner));

    // Assess
    await expect(outcome).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
      issues: [{ path: 'cursor' }],
    });
  });
});

describe('ProjectUseCases.addMember', () => {
  it('adds an existing user and stores project.member_added', async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w);

    // Act
    const project = await w.projects.addMember(
      { projectId, userId: w.alice, role: 'editor' },
      w.as(w.owner),
    );

    // Assess
    expect(project.version).toBe(2);
    expect(project.members).toContainEqual(
      expect.objectContaining({ userId: w.alice, role: 'editor' }),
    );
    expect(await w.projects.get(projectId, w.as(w.alice))).toEqual(asStored(project));
    expect(w.ports.projects.storedEventsOf('project.member_added').at(-1)).toMatchObject({
      aggregateVersion: 2,
      actor: w.owner,
      data: { userId: w.alice, role: 'editor' },
    });
  });

  it('refuses a user who does not exist (ValidationError USER_NOT_FOUND on userId)', async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w);

    // Act
    const outcome = w.projects.addMember(
      { projectId, userId: UNKNOWN, role: 'editor' },
      w.as(w.owner),
    );

    // Assess
    await expectRejection(outcome, ValidationError, 'USER_NOT_FOUND', {
      issues: [{ path: 'userId' }],
    });
    expect(w.ports.projects.storedVersionOf(projectId)).toBe(1);
  });

  it.each([
    { who: 'an editor', role: 'editor' as const, type: ForbiddenError, code: 'OWNER_REQUIRED' },
    { who: 'a viewer', role: 'viewer' as const, type: ForbiddenError, code: 'OWNER_REQUIRED' },
    { who: 'a non-member', role: null, type: NotFoundError, code: 'PROJECT_NOT_FOUND' },
  ])('refuses $who ($code)', async ({ role, type, code }) => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w, role === null ? [] : [[w.alice, role]]);

    // Act
    const outcome = w.projects.addMember(
      { projectId, userId: w.bob, role: 'viewer' },
      w.as(w.alice),
    );

    // Assess
    await expect(outcome).rejects.toThrow(type);
    await expect(outcome).rejects.toMatchObject({ code });
    expect(
      (await w.projects.get(projectId, w.as(w.owner))).members.map((m) => m.userId),
    ).not.toContain(w.bob);
  });

  it('tells a non-owner OWNER_REQUIRED even for an unknown user, revealing nothing about users', async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w, [[w.alice, 'viewer']]);

    // Act
    const outcome = w.projects.addMember(
      { projectId, userId: UNKNOWN, role: 'editor' },
      w.as(w.alice),
    );

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: 'OWNER_REQUIRED' });
  });

  it.each([
    { case: 'as registered', email: 'alice@example.com' },
    { case: 'in another case, with whitespace', email: '  ALICE@Example.com ' },
  ])('adds a user named by exact e-mail $case', async ({ email }) => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w);

    // Act
    const project = await w.projects.addMember({ projectId, email, role: 'viewer' }, w.as(w.owner));

    // Assess
    expect(project.members).toContainEqual(
      expect.objectContaining({ userId: w.alice, role: 'viewer' }),
    );
  });

  it.each([
    { case: 'an address nobody registered', email: 'nobody@example.com', code: 'EMAIL_NOT_FOUND' },
    { case: 'part of an address', email: 'alice@example', code: 'INVALID_EMAIL' },
    { case: 'not an address', email: 'alice', code: 'INVALID_EMAIL' },
  ])('refuses $case ($code), storing nothing', async ({ email, code }) => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w);

    // Act
    const outcome = w.projects.addMember({ projectId, email, role: 'viewer' }, w.as(w.owner));

    // Assess
    await expect(outcome).rejects.toMatchObject({ code });
    expect(w.ports.projects.storedVersionOf(projectId)).toBe(1);
  });

  it('answers 404 EMAIL_NOT_FOUND for an unknown e-mail (not a field error)', async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w);

    // Act
    const outcome = w.projects.addMember(
      { projectId, email: 'nobody@example.com', role: 'viewer' },
      w.as(w.owner),
    );

    // Assess
    await expect(outcome).rejects.toThrow(NotFoundError);
  });

  it('tells a non-owner OWNER_REQUIRED whether or not the e-mail is registered', async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w, [[w.alice, 'editor']]);

    // Act
    const known = w.projects.addMember(
      { projectId, email: 'bob@example.com', role: 'viewer' },
      w.as(w.alice),
    );
    const unknown = w.projects.addMember(
      { projectId, email: 'nobody@example.com', role: 'viewer' },
      w.as(w.alice),
    );

    // Assess
    await expect(known).rejects.toMatchObject({ code: 'OWNER_REQUIRED' });
    await expect(unknown).rejects.toMatchObject({ code: 'OWNER_REQUIRED' });
  });

  it('refuses a member twice (409 ALREADY_MEMBER)', async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w, [[w.alice, 'viewer']]);

    // Act
    const outcome = w.projects.addMember(
      { projectId, userId: w.alice, role: 'editor' },
      w.as(w.owner),
    );

    // Assess
    await expectRejection(outcome, ConflictError, 'ALREADY_MEMBER');
  });

  it('answers 404 PROJECT_NOT_FOUND for a project that does not exist', async () => {
    // Prepare
    const w = await setUp();

    // Act
    const outcome = w.projects.addMember(
      { projectId: UNKNOWN, userId: w.alice, role: 'editor' },
      w.as(w.owner),
    );

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: 'PROJECT_NOT_FOUND' });
  });

  it("retries after losing a race to a concurrent writer, keeping the other writer's change", async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w);
    w.ports.projects.interleave(async () => {
      await w.projects.addMember({ projectId, userId: w.bob, role: 'viewer' }, w.as(w.owner));
    });

    // Act
    const project = await w.projects.addMember(
      { projectId, userId: w.alice, role: 'editor' },
      w.as(w.owner),
    );

    // Assess
    expect(w.ports.projects.staleSaves).toBe(1);
    expect(project.version).toBe(3);
    expect(project.members.map((m) => m.userId)).toEqual([w.owner, w.bob, w.alice]);
    expect(await w.projects.get(projectId, w.as(w.owner))).toEqual(asStored(project));
    expect(
      w.ports.projects
        .storedEventsOf<typeof projectMemberAdded>('project.member_added')
        .map((e) => [e.data.userId, e.aggregateVersion]),
    ).toEqual([
      [w.owner, 1],
      [w.bob, 2],
      [w.alice, 3],
    ]);
  });

  it('retries after a concurrent writer merely bumped the version', async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w);
    w.ports.projects.bumpVersionBeforeNextSave(projectId);

    // Act
    const project = await w.projects.addMember(
      { projectId, userId: w.alice, role: 'viewer' },
      w.as(w.owner),
    );

    // Assess
    expect(w.ports.projects.staleSaves).toBe(1);
    expect(project.version).toBe(3);
    expect(w.ports.projects.storedVersionOf(projectId)).toBe(3);
  });

  it('stores nothing when the retry finds the change already made (409 ALREADY_MEMBER)', async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w);
    w.ports.projects.interleave(async () => {
      await w.projects.addMember({ projectId, userId: w.alice, role: 'viewer' }, w.as(w.owner));
    });

    // Act
    const outcome = w.projects.addMember(
      { projectId, userId: w.alice, role: 'editor' },
      w.as(w.owner),
    );

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: 'ALREADY_MEMBER' });
    expect((await w.projects.get(projectId, w.as(w.alice))).members).toContainEqual(
      expect.objectContaining({ userId: w.alice, role: 'viewer' }),
    );
  });
});

describe('ProjectUseCases.removeMember', () => {
  it('removes a member and stores project.member_removed', async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w, [[w.alice, 'editor']]);

    // Act
    const project = await w.projects.removeMember({ projectId, userId: w.alice }, w.as(w.owner));

    // Assess
    expect(project.members.map((m) => m.userId)).toEqual([w.owner]);
    await expect(w.projects.get(projectId, w.as(w.alice))).rejects.toMatchObject({
      code: 'PROJECT_NOT_FOUND',
    });
    expect(w.ports.projects.storedEventsOf('project.member_removed')).toMatchObject([
      { aggregateVersion: 3, data: { userId: w.alice, role: 'editor' } },
    ]);
  });

  it('refuses to remove the last owner (409 LAST_OWNER)', async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w, [[w.alice, 'editor']]);

    // Act
    const outcome = w.projects.removeMember({ projectId, userId: w.owner }, w.as(w.owner));

    // Assess
    await expectRejection(outcome, ConflictError, 'LAST_OWNER');
    expect(w.ports.projects.storedVersionOf(projectId)).toBe(2);
  });

  it('lets one of two owners go', async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w, [[w.alice, 'owner']]);

    // Act
    const project = await w.projects.removeMember({ projectId, userId: w.owner }, w.as(w.alice));

    // Assess
    expect(project.members).toEqual([expect.objectContaining({ userId: w.alice, role: 'owner' })]);
  });

  it('answers 404 MEMBER_NOT_FOUND for a user who is not a member', async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w);

    // Act
    const outcome = w.projects.removeMember({ projectId, userId: w.carol }, w.as(w.owner));

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: 'MEMBER_NOT_FOUND' });
  });

  it("retries after losing a race to a concurrent writer, keeping the other writer's change", async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w, [
      [w.alice, 'editor'],
      [w.bob, 'viewer'],
    ]);
    w.ports.projects.interleave(async () => {
      await w.projects.addMember({ projectId, userId: w.carol, role: 'viewer' }, w.as(w.owner));
    });

    // Act
    const project = await w.projects.removeMember({ projectId, userId: w.bob }, w.as(w.owner));

    // Assess
    expect(w.ports.projects.staleSaves).toBe(1);
    expect(project.version).toBe(5);
    expect(project.members.map((m) => m.userId)).toEqual([w.owner, w.alice, w.carol]);
    expect(await w.projects.get(projectId, w.as(w.owner))).toEqual(asStored(project));
  });

  it('does not remove the last owner even when a concurrent writer removed the other one first', async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w, [[w.alice, 'owner']]);
    w.ports.projects.interleave(async () => {
      await w.projects.removeMember({ projectId, userId: w.owner }, w.as(w.alice));
    });

    // Act
    const outcome = w.projects.removeMember({ projectId, userId: w.alice }, w.as(w.owner));

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: 'PROJECT_NOT_FOUND' });
    const project = await w.projects.get(projectId, w.as(w.alice));
    expect(project.members).toEqual([expect.objectContaining({ userId: w.alice, role: 'owner' })]);
  });
});

describe('ProjectUseCases.changeMemberRole', () => {
  it('gives a member another role and stores project.member_role_changed with both roles', async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w, [[w.alice, 'viewer']]);

    // Act
    const project = await w.projects.changeMemberRole(
      { projectId, userId: w.alice, role: 'editor' },
      w.as(w.owner),
    );

    // Assess
    expect(project.version).toBe(3);
    expect(project.members).toContainEqual(
      expect.objectContaining({ userId: w.alice, role: 'editor' }),
    );
    expect(await w.projects.get(projectId, w.as(w.alice))).toEqual(asStored(project));
    expect(w.ports.projects.roleOf(projectId, w.alice)).toBe('editor');
    expect(w.ports.projects.storedEventsOf('project.member_role_changed')).toMatchObject([
      {
        aggregateVersion: 3,
        actor: w.owner,
        correlationId: w.as(w.owner).correlationId,
        data: { userId: w.alice, from: 'viewer', to: 'editor' },
      },
    ]);
  });

  it('answers the project unchanged for the role the member already holds, storing nothing', async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w, [[w.alice, 'editor']]);
    const before = await w.projects.get(projectId, w.as(w.owner));
    const events = w.ports.projects.storedEvents.length;

    // Act
    const project = await w.projects.changeMemberRole(
      { projectId, userId: w.alice, role: 'editor' },
      w.as(w.owner),
    );

    // Assess
    expect(project).toEqual(before);
    expect(w.ports.projects.storedVersionOf(projectId)).toBe(2);
    expect(w.ports.projects.storedEvents).toHaveLength(events);
  });

  it('refuses to demote the last owner (409 LAST_OWNER), storing nothing', async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w, [[w.alice, 'editor']]);

    // Act
    const outcome = w.projects.changeMemberRole(
      { projectId, userId: w.owner, role: 'editor' },
      w.as(w.owner),
    );

    // Assess
    await expectRejection(outcome, ConflictError, 'LAST_OWNER');
    expect(w.ports.projects.storedVersionOf(projectId)).toBe(2);
    expect(w.ports.projects.roleOf(projectId, w.owner)).toBe('owner');
  });

  it('lets one of two owners step down', async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w, [[w.alice, 'owner']]);

    // Act
    const project = await w.projects.changeMemberRole(
      { projectId, userId: w.owner, role: 'viewer' },
      w.as(w.owner),
    );

    // Assess
    expect(project.members.map((m) => [m.userId, m.role])).toEqual([
      [w.owner, 'viewer'],
      [w.alice, 'owner'],
    ]);
  });

  it.each([
    { who: 'an editor', role: 'editor' as const, type: ForbiddenError, code: 'OWNER_REQUIRED' },
    { who: 'a viewer', role: 'viewer' as const, type: ForbiddenError, code: 'OWNER_REQUIRED' },
    { who: 'a non-member', role: null, type: NotFoundError, code: 'PROJECT_NOT_FOUND' },
  ])('refuses $who ($code)', async ({ role, type, code }) => {
    // Prepare
    const w = await setUp();
    const members: [string, ProjectRole][] = [[w.bob, 'viewer']];
    if (role !== null) members.push([w.alice, role]);
    const projectId = await projectWith(w, members);

    // Act
    const outcome = w.projects.changeMemberRole(
      { projectId, userId: w.bob, role: 'owner' },
      w.as(w.alice),
    );

    // Assess
    await expectRejection(outcome, type, code);
    expect(w.ports.projects.roleOf(projectId, w.bob)).toBe('viewer');
  });

  it.each([
    { case: 'a user who is not a member', userId: 'carol' as const, code: 'MEMBER_NOT_FOUND' },
    { case: 'a project that does not exist', userId: 'alice' as const, code: 'PROJECT_NOT_FOUND' },
  ])('answers 404 for $case ($code)', async ({ userId, code }) => {
    // Prepare
    const w = await setUp();
    const existing = await projectWith(w, [[w.alice, 'viewer']]);
    const projectId = code === 'PROJECT_NOT_FOUND' ? UNKNOWN : existing;

    // Act
    const outcome = w.projects.changeMemberRole(
      { projectId, userId: w[userId], role: 'editor' },
      w.as(w.owner),
    );

    // Assess
    await expectRejection(outcome, NotFoundError, code);
  });

  it("retries after losing a race to a concurrent writer, keeping the other writer's change", async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w, [[w.alice, 'viewer']]);
    w.ports.projects.interleave(async () => {
      await w.projects.addMember({ projectId, userId: w.bob, role: 'viewer' }, w.as(w.owner));
    });

    // Act
    const project = await w.projects.changeMemberRole(
      { projectId, userId: w.alice, role: 'editor' },
      w.as(w.owner),
    );

    // Assess
    expect(w.ports.projects.staleSaves).toBe(1);
    expect(project.version).toBe(4);
    expect(project.members.map((m) => [m.userId, m.role])).toEqual([
      [w.owner, 'owner'],
      [w.alice, 'editor'],
      [w.bob, 'viewer'],
    ]);
    expect(await w.projects.get(projectId, w.as(w.owner))).toEqual(asStored(project));
  });

  it('does not demote the last owner even when a concurrent writer demoted the other one first', async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w, [[w.alice, 'owner']]);
    w.ports.projects.interleave(async () => {
      await w.projects.changeMemberRole(
        { projectId, userId: w.owner, role: 'editor' },
        w.as(w.alice),
      );
    });

    // Act
    const outcome = w.projects.changeMemberRole(
      { projectId, userId: w.alice, role: 'editor' },
      w.as(w.owner),
    );

    // Assess
    await expectRejection(outcome, ForbiddenError, 'OWNER_REQUIRED');
    expect(w.ports.projects.roleOf(projectId, w.alice)).toBe('owner');
    expect(w.ports.projects.roleOf(projectId, w.owner)).toBe('editor');
  });
});

describe('ProjectUseCases.removeMember with departure policies', () => {
  /** A departure policy that reports `more` for its first `rounds - 1` calls, recording each limit. */
  const scripted = (rounds: number) => {
    const limits: (number | null)[] = [];
    const departures: MemberDepartures = {
      memberLeaving: (_projectId, _userId, _context, limit) => {
        limits.push(limit);
        return Promise.resolve({ released: 1, more: limits.length < rounds });
      },
    };
    return { limits, departures };
  };
  /** The world's use cases with these policies, over `transactions`. */
  const withPolicies = (
    w: World,
    policies: Omit<MembershipPolicies, 'transactions'>,
    transactions = new CountingTransactionRunner(),
  ) =>
    new ProjectUseCases(w.ports.projects, w.ports.users, w.ports.clock, w.ports.ids, {
      transactions,
      ...policies,
    });

  it('without a bound, runs the removal and all its consequences in one transaction', async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w, [[w.alice, 'editor']]);
    const { limits, departures } = scripted(1);
    const runner = new CountingTransactionRunner();
    const projects = withPolicies(w, { departures }, runner);

    // Act
    await projects.removeMember({ projectId, userId: w.alice }, w.as(w.owner));

    // Assess
    expect(limits).toEqual([null]);
    expect(runner.transactions).toHaveLength(1);
  });

  it('with a bound, asks again in a transaction of its own while more is left', async () => {
    // Prepare
    const w = await setUp();
    const projectId = await projectWith(w, [[w.alice, 'editor']]);
    const { limits, departures } = scripted(3);
    const runner = new CountingTransactionRunner();
    const projects = withPolicies(w, { departures, changesPerTransaction: 50 }, runner);

    // Act
    await projects.removeMember({ projectId, userId: w.alice }, w.as(w.owner));

    // Assess
    expect(limits).toEqual([50, 50, 50]);
    expect(runner.transactions).toHaveLength(3);
  });

  it.each([0, -1, 1.5, Number.NaN])(
    'refuses %p changes per transaction, changing nothing',
    async (bound) => {
      // Prepare
      const w = await setUp();
      const projectId = await projectWith(w, [[w.alice, 'editor']]);
      const projects = withPolicies(w, {
        departures: scripted(1).departures,
        changesPerTransaction: bound,
      });

      // Act
      const outcome = projects.removeMember({ projectId, userId: w.alice }, w.as(w.owner));

      // Assess
      await expect(outcome).rejects.toThrow('changesPerTransaction must be a positive integer');
      expect(w.ports.projects.storedEventsOf('project.member_removed')).toEqual([]);
    },
  );
});
