import type { ProjectRole } from './project.events';
import { ConflictError, ForbiddenError, NotFoundError } from '@taskflow/platform-kernel';
import { PROJECT_NAME_BOUNDS, Project } from './project.aggregate';
import { errorOf } from '@taskflow/platform-assertions';
import {
  SAMPLE_IDS,
  expectDomainError,
  itRefusesTextOutOfBounds,
} from '@taskflow/platform-testing';

const { PROJECT_ID, OWNER, EDITOR, VIEWER, SECOND_OWNER, NEWCOMER, STRANGER } = SAMPLE_IDS;

const CREATED_AT = new Date('2025-01-01T00:00:00.000Z');
const LATER = new Date('2025-01-02T12:00:00.000Z');

/** A stored project with an owner, an editor, a viewer and any extra members. */
function storedProject(extra: readonly { userId: string; role: ProjectRole }[] = []): Project {
  const at = CREATED_AT.toISOString();
  return Project.rehydrate({
    id: PROJECT_ID,
    name: 'Apollo',
    createdBy: OWNER,
    createdAt: at,
    updatedAt: at,
    version: 3,
    members: [
      { userId: OWNER, role: 'owner', addedAt: at },
      { userId: EDITOR, role: 'editor', addedAt: at },
      { userId: VIEWER, role: 'viewer', addedAt: at },
      ...extra.map((m) => ({ ...m, addedAt: at })),
    ],
  });
}

/** Who may not change the membership, and what each is told. */
const NOT_OWNERS = [
  { actor: 'an editor', actorId: EDITOR, type: ForbiddenError, code: 'OWNER_REQUIRED' },
  { actor: 'a viewer', actorId: VIEWER, type: ForbiddenError, code: 'OWNER_REQUIRED' },
  { actor: 'a non-member', actorId: STRANGER, type: NotFoundError, code: 'PROJECT_NOT_FOUND' },
];

/** The common envelope fields of an event OWNER made the project raise at `version` and `at`. */
const raisedBy = (version: number, at: Date) => ({
  aggregateId: PROJECT_ID,
  aggregateVersion: version,
  projectId: PROJECT_ID,
  actor: OWNER,
  occurredAt: at.toISOString(),
});

describe('Project.create', () => {
  it('makes the creator its owner and raises project.created then project.member_added', () => {
    // Act
    const project = Project.create({
      id: PROJECT_ID,
      name: '  Apollo ',
      creatorId: OWNER,
      now: CREATED_AT,
    });

    // Assess
    const at = '2025-01-01T00:00:00.000Z';
    expect(project.snapshot()).toEqual({
      id: PROJECT_ID,
      name: 'Apollo',
      createdBy: OWNER,
      createdAt: at,
      updatedAt: at,
      version: 1,
      members: [{ userId: OWNER, role: 'owner', addedAt: at }],
    });
    const common = raisedBy(1, CREATED_AT);
    expect(project.pullEvents()).toEqual([
      {
        type: 'project.created',
        schemaVersion: 1,
        data: { project: { id: PROJECT_ID, name: 'Apollo', createdBy: OWNER, createdAt: at } },
        ...common,
      },
      {
        type: 'project.member_added',
        schemaVersion: 1,
        data: { userId: OWNER, role: 'owner' },
        ...common,
      },
    ]);
    expect(project.loadedVersion).toBe(1);
    expect(project.currentVersion).toBe(1);
  });

  itRefusesTextOutOfBounds(
    { path: 'name', max: PROJECT_NAME_BOUNDS.max, tooLong: 'must be at most 100 characters' },
    (name) => Project.create({ id: PROJECT_ID, name, creatorId: OWNER, now: CREATED_AT }),
  );

  it('accepts a name of the maximum length', () => {
    // Act
    const project = Project.create({
      id: PROJECT_ID,
      name: 'p'.repeat(PROJECT_NAME_BOUNDS.max),
      creatorId: OWNER,
      now: CREATED_AT,
    });

    // Assess
    expect(project.snapshot().name).toHaveLength(PROJECT_NAME_BOUNDS.max);
  });
});

describe('Project.rehydrate', () => {
  it('raises nothing and remembers the version it was loaded at', () => {
    // Act
    const project = storedProject();

    // Assess
    expect(project.pullEvents()).toEqual([]);
    expect(project.loadedVersion).toBe(3);
    expect(project.currentVersion).toBe(3);
  });
});

describe('Project.addMember', () => {
  it('lets an owner add a member, bumping the version once and raising project.member_added', () => {
    // Prepare
    const project = storedProject();

    // Act
    project.addMember({ actorId: OWNER, userId: NEWCOMER, role: 'editor', now: LATER });

    // Assess
    const snapshot = project.snapshot();
    expect(snapshot.members).toContainEqual({
      userId: NEWCOMER,
      role: 'editor',
      addedAt: LATER.toISOString(),
    });
    expect(snapshot.version).toBe(4);
    expect(snapshot.updatedAt).toBe(LATER.toISOString());
    expect(project.loadedVersion).toBe(3);
    expect(project.pullEvents()).toEqual([
      {
        type: 'project.member_added',
        schemaVersion: 1,
        data: { userId: NEWCOMER, role: 'editor' },
        ...raisedBy(4, LATER),
      },
    ]);
  });

  it('bumps the version once per change', () => {
    // Prepare
    const project = storedProject();

    // Act
    project.addMember({ actorId: OWNER, userId: NEWCOMER, role: 'viewer', now: LATER });
    project.addMember({ actorId: OWNER, userId: STRANGER, role: 'owner', now: LATER });

    // Assess
    expect(project.currentVersion).toBe(5);
    expect(project.pullEvents().map((e) => e.aggregateVersion)).toEqual([4, 5]);
  });

  it.each(NOT_OWNERS)('refuses $actor ($code) and changes nothing', ({ actorId, type, code }) => {
    // Prepare
    const project = storedProject();
    const before = project.snapshot();

    // Act
    const error = errorOf(() =>
      project.addMember({ actorId, userId: NEWCOMER, role: 'viewer', now: LATER }),
    );

    // Assess
    expectDomainError(error, type, code);
    expect(project.snapshot()).toEqual(before);
    expect(project.pullEvents()).toEqual([]);
  });

  it.each([
    { existing: 'the owner', userId: OWNER },
    { existing: 'an editor', userId: EDITOR },
    { existing: 'a viewer', userId: VIEWER },
  ])('refuses to add $existing again (409 ALREADY_MEMBER)', ({ userId }) => {
    // Prepare
    const project = storedProject();

    // Act
    const error = errorOf(() =>
      project.addMember({ actorId: OWNER, userId, role: 'editor', now: LATER }),
    );

    // Assess
    expectDomainError(error, ConflictError, 'ALREADY_MEMBER');
    expect(project.currentVersion).toBe(3);
    expect(project.pullEvents()).toEqual([]);
  });
});

describe('Project.removeMember', () => {
  it.each([
    { member: 'an editor', userId: EDITOR, role: 'editor' },
    { member: 'a viewer', userId: VIEWER, role: 'viewer' },
  ])('lets an owner remove $member, raising project.member_removed', ({ userId, role }) => {
    // Prepare
    const project = storedProject();

    // Act
    project.removeMember({ actorId: OWNER, userId, now: LATER });

    // Assess
    expect(project.snapshot().members.map((m) => m.userId)).not.toContain(userId);
    expect(project.access().isMember(userId)).toBe(false);
    expect(project.currentVersion).toBe(4);
    expect(project.pullEvents()).toEqual([
      {
        type: 'project.member_removed',
        schemaVersion: 1,
        data: { userId, role },
        ...raisedBy(4, LATER),
      },
    ]);
  });

  it('refuses to remove the last owner (409 LAST_OWNER)', () => {
    // Prepare
    const project = storedProject();

    // Act
    const error = errorOf(() =>
      project.removeMember({ actorId: OWNER, userId: OWNER, now: LATER }),
    );

    // Assess
    expectDomainError(error, ConflictError, 'LAST_OWNER');
    expect(project.access().roleOf(OWNER)).toBe('owner');
    expect(project.currentVersion).toBe(3);
    expect(project.pullEvents()).toEqual([]);
  });

  it.each([
    { case: 'the other owner', actorId: OWNER, userId: SECOND_OWNER },
    { case: 'themselves', actorId: OWNER, userId: OWNER },
  ])('lets one of two owners remove $case', ({ actorId, userId }) => {
    // Prepare
    const project = storedProject([{ userId: SECOND_OWNER, role: 'owner' }]);

    // Act
    project.removeMember({ actorId, userId, now: LATER });

    // Assess
    const owners = project.snapshot().members.filter((m) => m.role === 'owner');
    expect(owners).toHaveLength(1);
    expect(project.currentVersion).toBe(4);
    expect(project.pullEvents()).toMatchObject([
      { type: 'project.member_removed', schemaVersion: 1, data: { userId, role: 'owner' } },
    ]);
  });

  it('then refuses to remove the remaining owner', () => {
    // Prepare
    const project = storedProject([{ userId: SECOND_OWNER, role: 'owner' }]);
    project.removeMember({ actorId: OWNER, userId: SECOND_OWNER, now: LATER });

    // Act
    const error = errorOf(() =>
      project.removeMember({ actorId: OWNER, userId: OWNER, now: LATER }),
    );

    // Assess
    expect(error).toMatchObject({ code: 'LAST_OWNER' });
  });

  it.each(NOT_OWNERS)('refuses $actor ($code)', ({ actorId, type, code }) => {
    // Prepare
    const project = storedProject();

    // Act
    const error = errorOf(() => project.removeMember({ actorId, userId: VIEWER, now: LATER }));

    // Assess
    expectDomainError(error, type, code);
    expect(project.access().isMember(VIEWER)).toBe(true);
  });

  it('answers 404 MEMBER_NOT_FOUND for a user who is not a member', () => {
    // Prepare
    const project = storedProject();

    // Act
    const error = errorOf(() =>
      project.removeMember({ actorId: OWNER, userId: STRANGER, now: LATER }),
    );

    // Assess
    expectDomainError(error, NotFoundError, 'MEMBER_NOT_FOUND');
    expect(project.currentVersion).toBe(3);
  });
});

describe('Project.changeMemberRole', () => {
  it.each<{ member: string; userId: string; from: ProjectRole; to: ProjectRole }>([
    { member: 'a viewer', userId: VIEWER, from: 'viewer', to: 'editor' },
    { member: 'a viewer', userId: VIEWER, from: 'viewer', to: 'owner' },
    { member: 'an editor', userId: EDITOR, from: 'editor', to: 'viewer' },
    { member: 'an editor', userId: EDITOR, from: 'editor', to: 'owner' },
  ])(
    'lets an owner make $member an $to, raising project.member_role_changed',
    ({ userId, from, to }) => {
      // Prepare
      const project = storedProject();

      // Act
      project.changeMemberRole({ actorId: OWNER, userId, role: to, now: LATER });

      // Assess
      expect(project.access().roleOf(userId)).toBe(to);
      const snapshot = project.snapshot();
      expect(snapshot.members.map((m) => m.userId)).toEqual([OWNER, EDITOR, VIEWER]);
      expect(snapshot.members.find((m) => m.userId === userId)?.addedAt).toBe(
        CREATED_AT.toISOString(),
      );
      expect(snapshot).toMatchObject({ version: 4, updatedAt: LATER.toISOString() });
      expect(project.pullEvents()).toEqual([
        {
          type: 'project.member_role_changed',
          schemaVersion: 1,
          data: { userId, from, to },
          ...raisedBy(4, LATER),
        },
      ]);
    },
  );

  it.each<ProjectRole>(['owner', 'editor', 'viewer'])(
    'changes nothing when the member already is %s: no event, no new version',
    (role) => {
      // Prepare
      const project = storedProject();
      const userId = { owner: OWNER, editor: EDITOR, viewer: VIEWER }[role];
      const before = project.snapshot();

      // Act
      project.changeMemberRole({ actorId: OWNER, userId, role, now: LATER });

      // Assess
      expect(project.snapshot()).toEqual(before);
      expect(project.currentVersion).toBe(project.loadedVersion);
      expect(project.pullEvents()).toEqual([]);
    },
  );

  it.each<ProjectRole>(['editor', 'viewer'])(
    'refuses to make the last owner an %s (409 LAST_OWNER)',
    (role) => {
      // Prepare
      const project = storedProject();

      // Act
      const error = errorOf(() =>
        project.changeMemberRole({ actorId: OWNER, userId: OWNER, role, now: LATER }),
      );

      // Assess
      expectDomainError(error, ConflictError, 'LAST_OWNER');
      expect(project.access().roleOf(OWNER)).toBe('owner');
      expect(project.currentVersion).toBe(3);
      expect(project.pullEvents()).toEqual([]);
    },
  );

  it.each([
    { case: 'the other owner', userId: SECOND_OWNER },
    { case: 'themselves', userId: OWNER },
  ])('lets one of two owners demote $case, then refuses the remaining one', ({ userId }) => {
    // Prepare
    const project = storedProject([{ userId: SECOND_OWNER, role: 'owner' }]);
    const remaining = userId === OWNER ? SECOND_OWNER : OWNER;

    // Act
    project.changeMemberRole({ actorId: OWNER, userId, role: 'editor', now: LATER });
    const error = errorOf(() =>
      project.changeMemberRole({
        actorId: remaining,
        userId: remaining,
        role: 'viewer',
        now: LATER,
      }),
    );

    // Assess
    expect(project.access().roleOf(userId)).toBe('editor');
    expectDomainError(error, ConflictError, 'LAST_OWNER');
    expect(project.pullEvents()).toMatchObject([
      { data: { userId, from: 'owner', to: 'editor' }, aggregateVersion: 4 },
    ]);
  });

  it('takes an owner who stepped down at their word: they may change roles no more', () => {
    // Prepare
    const project = storedProject([{ userId: SECOND_OWNER, role: 'owner' }]);
    project.changeMemberRole({ actorId: OWNER, userId: OWNER, role: 'editor', now: LATER });

    // Act
    const error = errorOf(() =>
      project.changeMemberRole({ actorId: OWNER, userId: OWNER, role: 'owner', now: LATER }),
    );

    // Assess
    expectDomainError(error, ForbiddenError, 'OWNER_REQUIRED');
  });

  it.each(NOT_OWNERS)('refuses $actor ($code) and changes nothing', ({ actorId, type, code }) => {
    // Prepare
    const project = storedProject();
    const before = project.snapshot();

    // Act
    const error = errorOf(() =>
      project.changeMemberRole({ actorId, userId: VIEWER, role: 'editor', now: LATER }),
    );

    // Assess
    expectDomainError(error, type, code);
    expect(project.snapshot()).toEqual(before);
    expect(project.pullEvents()).toEqual([]);
  });

  it('refuses a non-owner OWNER_REQUIRED even for a user who is not a member', () => {
    // Prepare
    const project = storedProject();

    // Act
    const error = errorOf(() =>
      project.changeMemberRole({ actorId: EDITOR, userId: STRANGER, role: 'editor', now: LATER }),
    );

    // Assess
    expectDomainError(error, ForbiddenError, 'OWNER_REQUIRED');
  });

  it('answers 404 MEMBER_NOT_FOUND for a user who is not a member', () => {
    // Prepare
    const project = storedProject();

    // Act
    const error = errorOf(() =>
      project.changeMemberRole({ actorId: OWNER, userId: STRANGER, role: 'viewer', now: LATER }),
    );

    // Assess
    expectDomainError(error, NotFoundError, 'MEMBER_NOT_FOUND');
    expect(project.currentVersion).toBe(3);
  });
});

describe('Project.access', () => {
  it('knows the role of every member and nobody else', () => {
    // Prepare
    const project = storedProject();

    // Act
    const access = project.access();

    // Assess
    expect(access.projectId).toBe(PROJECT_ID);
    expect([OWNER, EDITOR, VIEWER, STRANGER].map((id) => access.roleOf(id))).toEqual([
      'owner',
      'editor',
      'viewer',
      null,
    ]);
  });
});
