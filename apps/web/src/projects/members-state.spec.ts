import type { Project, User } from '../api/client';
import {
  ProjectFollower,
  type ProjectStreamEvent,
  applyProjectEvent,
  hasStrangers,
  isProjectEvent,
  mayEdit,
  memberProblem,
  memberRows,
  roleOf,
} from './members-state';

const PROJECT_ID = '0190a5f2-7c3e-7abc-8def-000000000001';
const OWNER = '0190a5f2-7c3e-7abc-8def-00000000000a';
const VIEWER = '0190a5f2-7c3e-7abc-8def-00000000000b';
const NEWCOMER = '0190a5f2-7c3e-7abc-8def-00000000000c';
const AT = '2026-03-02T09:15:00.000Z';
const LATER = '2026-03-02T10:00:00.000Z';

const project: Project = {
  id: PROJECT_ID,
  name: 'Launch',
  createdBy: OWNER,
  createdAt: AT,
  updatedAt: AT,
  version: 2,
  members: [
    { userId: OWNER, role: 'owner', addedAt: AT },
    { userId: VIEWER, role: 'viewer', addedAt: AT },
  ],
};

/** An event of the project at `version` (default: the next one). */
const event = (type: string, data: unknown, version = project.version + 1): ProjectStreamEvent => ({
  type,
  aggregateId: PROJECT_ID,
  aggregateVersion: version,
  occurredAt: LATER,
  data,
});

describe('applyProjectEvent', () => {
  it('gives a member the role a role change names, keeping their place and join time', () => {
    // Act
    const next = applyProjectEvent(
      project,
      event('project.member_role_changed', { userId: VIEWER, from: 'viewer', to: 'editor' }),
    );

    // Assess
    expect(next).toEqual({
      ...project,
      version: 3,
      updatedAt: LATER,
      members: [
        { userId: OWNER, role: 'owner', addedAt: AT },
        { userId: VIEWER, role: 'editor', addedAt: AT },
      ],
    });
  });

  it.each([
    {
      case: 'adds a member',
      e: event('project.member_added', { userId: NEWCOMER, role: 'viewer' }),
      members: [OWNER, VIEWER, NEWCOMER],
    },
    {
      case: 'removes a member',
      e: event('project.member_removed', { userId: VIEWER, role: 'viewer' }),
      members: [OWNER],
    },
  ])('$case at the next version', ({ e, members }) => {
    // Act
    const next = applyProjectEvent(project, e);

    // Assess
    expect(next).not.toBe('reload');
    expect(next !== 'reload' && next.members.map((m) => m.userId)).toEqual(members);
    expect(next !== 'reload' && next.version).toBe(3);
  });

  it.each([
    { case: 'already reflected', version: 2 },
    { case: 'older', version: 1 },
  ])('ignores an event the project has (version $case)', ({ version }) => {
    // Act
    const next = applyProjectEvent(
      project,
      event('project.member_removed', { userId: VIEWER, role: 'viewer' }, version),
    );

    // Assess
    expect(next).toBe(project);
  });

  it.each([
    { case: 'events were missed', e: event('project.member_added', {}, 4) },
    { case: 'the payload is not understood', e: event('project.member_role_changed', {}) },
  ])('asks for a reload when $case', ({ e }) => {
    // Act
    const next = applyProjectEvent(project, e);

    // Assess
    expect(next).toBe('reload');
  });

  it('ignores an event of another project', () => {
    // Act
    const next = applyProjectEvent(project, {
      ...event('project.member_removed', { userId: VIEWER }),
      aggregateId: NEWCOMER,
    });

    // Assess
    expect(next).toBe(project);
  });
});

describe('ProjectFollower', () => {
  /** A follower whose reloads answer `reloaded`, recording what it showed. */
  const follower = (reloaded: Project = project) => {
    const shown: Project[] = [];
    let reloads = 0;
    const f = new ProjectFollower(
      () => {
        reloads += 1;
        return Promise.resolve(reloaded);
      },
      (p) => shown.push(p),
    );
    return { f, shown, reloads: () => reloads };
  };

  it('shows a read, then the stream’s changes, and not an older read after them', () => {
    // Prepare
    const { f, shown } = follower();
    f.take(project);

    // Act
    f.apply(event('project.member_role_changed', { userId: VIEWER, to: 'editor' }));
    f.take(project);

    // Assess
    expect(shown.map((p) => p.version)).toEqual([2, 3]);
    expect(roleOf(f.project, VIEWER)).toBe('editor');
  });

  it('reads the project again when the stream skipped versions, and shows the newer read', async () => {
    // Prepare
    const fresh: Project = { ...project, version: 5, members: project.members.slice(0, 1) };
    const { f, shown, reloads } = follower(fresh);
    f.take(project);

    // Act
    f.apply(event('project.member_removed', { userId: VIEWER }, 5));
    await Promise.resolve();

    // Assess
    expect(reloads()).toBe(1);
    expect(shown.at(-1)).toBe(fresh);
  });

  it('reads the project again for an event that comes before the first read', async () => {
    // Prepare
    const { f, shown, reloads } = follower();

    // Act
    f.apply(event('project.member_added', { userId: NEWCOMER, role: 'viewer' }));
    await Promise.resolve();

    // Assess
    expect(reloads()).toBe(1);
    expect(shown).toEqual([project]);
  });
});

describe('roles', () => {
  it.each([
    { role: 'owner' as const, editable: true },
    { role: 'editor' as const, editable: true },
    { role: 'viewer' as const, editable: false },
    { role: null, editable: false },
  ])('$role may edit the board: $editable', ({ role, editable }) => {
    // Assess
    expect(mayEdit(role)).toBe(editable);
  });

  it('knows the caller’s role, or null for someone who is not a member', () => {
    // Assess
    expect([roleOf(project, OWNER), roleOf(project, NEWCOMER), roleOf(null, OWNER)]).toEqual([
      'owner',
      null,
      null,
    ]);
  });

  it.each([
    { type: 'project.member_role_changed', yes: true },
    { type: 'project.member_added', yes: true },
    { type: 'task.updated', yes: false },
  ])('$type is a project event: $yes', ({ type, yes }) => {
    // Assess
    expect(isProjectEvent({ type })).toBe(yes);
  });
});

describe('memberRows', () => {
  const people = new Map<string, User>([
    [OWNER, { id: OWNER, name: 'Alice', email: 'alice@example.com', createdAt: AT }],
    [VIEWER, { id: VIEWER, name: 'Bob', email: 'bob@example.com', createdAt: AT }],
  ]);

  it('lists owners, editors then viewers, by name, with their e-mail and who is the caller', () => {
    // Act
    const rows = memberRows(
      [
        { userId: VIEWER, role: 'viewer', addedAt: AT },
        { userId: NEWCOMER, role: 'editor', addedAt: AT },
        { userId: OWNER, role: 'owner', addedAt: AT },
      ],
      people,
      VIEWER,
    );

    // Assess
    expect(rows).toEqual([
      { userId: OWNER, role: 'owner', name: 'Alice', email: 'alice@example.com', isMe: false },
      { userId: NEWCOMER, role: 'editor', name: 'User 0190a5f2', email: null, isMe: false },
      { userId: VIEWER, role: 'viewer', name: 'Bob', email: 'bob@example.com', isMe: true },
    ]);
  });

  it('tells when a member is someone the user list does not know yet', () => {
    // Assess
    expect(hasStrangers(project.members, people)).toBe(false);
    expect(hasStrangers([{ userId: NEWCOMER, role: 'viewer', addedAt: AT }], people)).toBe(true);
  });
});

describe('memberProblem', () => {
  it.each([
    { code: 'LAST_OWNER', says: 'must keep at least one owner' },
    { code: 'EMAIL_NOT_FOUND', says: 'sign in once first' },
    { code: 'ALREADY_MEMBER', says: 'already a member' },
    { code: 'OWNER_REQUIRED', says: 'Only an owner' },
  ])('says what to do about $code', ({ code, says }) => {
    // Assess
    expect(memberProblem({ code, message: 'detail', errors: [] })).toContain(says);
  });

  it('gives a field’s message, else the server’s detail, for anything else', () => {
    // Assess
    expect(
      memberProblem({
        code: 'INVALID_EMAIL',
        message: 'The request is invalid.',
        errors: [{ path: 'email', message: 'must be an e-mail address' }],
      }),
    ).toBe('must be an e-mail address');
    expect(memberProblem({ code: undefined, message: 'Bad Gateway', errors: [] })).toBe(
      'Bad Gateway',
    );
  });
});
