import { Project, type ProjectRole } from '@taskflow/projects-domain';
import { ValidationError, uuidV7Generator } from '@taskflow/platform-kernel';
import { as, count } from '@taskflow/platform-postgres/testing';
import { ownerWithProject, registerUser, useProjectsDatabase } from './testing/database.fixture';

describe('PgProjectRepository', () => {
  const { store, app } = useProjectsDatabase('pp_projects');

  async function teamProject(): Promise<{
    projectId: string;
    owner: string;
    editor: string;
    viewer: string;
    stranger: string;
  }> {
    const { ownerId, projectId } = await ownerWithProject(app, 'Team');
    const [editor, viewer, stranger] = await Promise.all([
      registerUser(app, 'Editor'),
      registerUser(app, 'Viewer'),
      registerUser(app, 'Stranger'),
    ]);
    await app.projects.addMember({ projectId, userId: editor, role: 'editor' }, as(ownerId));
    await app.projects.addMember({ projectId, userId: viewer, role: 'viewer' }, as(ownerId));
    return { projectId, owner: ownerId, editor, viewer, stranger };
  }

  describe('add and findById', () => {
    it('round-trips a project with its members, roles and join times', async () => {
      // Prepare
      const owner = await registerUser(app, 'Creator');
      const editor = await registerUser(app, 'Joiner');
      const project = Project.create({
        id: uuidV7Generator.next(),
        name: '  Apollo  ',
        creatorId: owner,
        now: new Date('2030-05-06T07:08:09.123Z'),
      });
      project.addMember({
        actorId: owner,
        userId: editor,
        role: 'editor',
        now: new Date('2030-05-06T08:00:00.000Z'),
      });
      const expected = project.snapshot();

      // Act
      await store.projects.add(project, { correlationId: null });
      const found = await store.projects.findById(project.id);

      // Assess
      expect(found?.snapshot()).toEqual(expected);
      expect(expected).toMatchObject({ name: 'Apollo', version: 2 });
      expect(found?.loadedVersion).toBe(2);
    });

    it('answers null for an unknown id', async () => {
      // Act
      const found = await store.projects.findById(uuidV7Generator.next());

      // Assess
      expect(found).toBeNull();
    });
  });

  describe('accessFor', () => {
    it('answers null for a project that does not exist', async () => {
      // Prepare
      const someone = await registerUser(app, 'Someone');

      // Act
      const access = await store.projects.accessFor(uuidV7Generator.next(), [someone]);

      // Assess
      expect(access).toBeNull();
    });

    it.each<{
      asked: ('owner' | 'editor' | 'viewer' | 'stranger')[];
      expected: Partial<Record<'owner' | 'editor' | 'viewer' | 'stranger', ProjectRole | null>>;
    }>([
      {
        asked: ['owner'],
        expected: { owner: 'owner', editor: null, viewer: null, stranger: null },
      },
      {
        asked: ['editor', 'stranger'],
        expected: { owner: null, editor: 'editor', viewer: null, stranger: null },
      },
      {
        asked: ['owner', 'editor', 'viewer'],
        expected: { owner: 'owner', editor: 'editor', viewer: 'viewer', stranger: null },
      },
      {
        asked: ['stranger'],
        expected: { owner: null, editor: null, viewer: null, stranger: null },
      },
      { asked: [], expected: { owner: null, editor: null, viewer: null, stranger: null } },
    ])('for $asked tells the roles of just those users', async ({ asked, expected }) => {
      // Prepare
      const team = await teamProject();

      // Act
      const access = await store.projects.accessFor(
        team.projectId,
        asked.map((who) => team[who]),
      );

      // Assess
      expect(access).not.toBeNull();
      expect(access?.projectId).toBe(team.projectId);
      const roles = Object.fromEntries(
        (['owner', 'editor', 'viewer', 'stranger'] as const).map((who) => [
          who,
          access?.roleOf(team[who]) ?? null,
        ]),
      );
      expect(roles).toEqual(expected);
    });
  });

  describe('listForMember', () => {
    it('pages the member’s projects oldest first, 2 at a time, each once, and no one else’s', async () => {
      // Prepare
      const member = await registerUser(app, 'Member');
      const mine: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const { ownerId, projectId } = await ownerWithProject(app, `Shared ${i}`);
        await app.projects.addMember(
          { projectId, userId: member, role: i % 2 === 0 ? 'viewer' : 'editor' },
          as(ownerId),
        );
        mine.push(projectId);
        await ownerWithProject(app, `Not shared ${i}`);
      }

      // Act
      const pages: string[][] = [];
      const cursors: (string | null)[] = [];
      let cursor: string | null = null;
      do {
        const page = await store.projects.listForMember(member, 2, cursor);
        pages.push(page.items.map((project) => project.id));
        cursor = page.nextCursor;
        cursors.push(cursor);
      } while (cursor !== null && pages.length < 10);

      // Assess
      expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
      expect(pages.flat()).toEqual(mine);
      expect(cursors).toEqual([expect.any(String), expect.any(String), null]);
    });

    it('loads whole projects (all members, not just the one asked about)', async () => {
      // Prepare
      const team = await teamProject();

      // Act
      const page = await store.projects.listForMember(team.viewer, 10, null);

      // Assess
      expect(page.items).toHaveLength(1);
      expect(page.items[0]?.snapshot().members.map((m) => [m.userId, m.role])).toEqual([
        [team.owner, 'owner'],
        [team.editor, 'editor'],
        [team.viewer, 'viewer'],
      ]);
    });

    it('answers an empty last page for a user of no project', async () => {
      // Prepare
      const loner = await registerUser(app, 'Loner');

      // Act
      const page = await store.projects.listForMember(loner, 2, null);

      // Assess
      expect(page).toEqual({ items: [], nextCursor: null });
    });

    it('refuses a garbage cursor with ValidationError INVALID_CURSOR', async () => {
      // Prepare
      const loner = await registerUser(app, 'Loner');

      // Act
      const attempt = store.projects.listForMember(loner, 2, '%%%');

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(ValidationError);
      await expect(attempt).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
    });
  });

  describe('save', () => {
    it('deletes the row of a removed member, and only that row', async () => {
      // Prepare
      const team = await teamProject();

      // Act
      await app.projects.removeMember(
        { projectId: team.projectId, userId: team.editor },
        as(team.owner),
      );

      // Assess
      expect(
        await count(
          store.db,
          'SELECT count(*) AS n FROM project_members WHERE project_id = $1 AND user_id = $2',
          [team.projectId, team.editor],
        ),
      ).toBe(0);
      expect(
        await count(store.db, 'SELECT count(*) AS n FROM project_members WHERE project_id = $1', [
          team.projectId,
        ]),
      ).toBe(2);
      const access = await store.projects.accessFor(team.projectId, [
        team.owner,
        team.editor,
        team.viewer,
      ]);
      expect(
        [team.owner, team.editor, team.viewer].map((id) => access?.roleOf(id) ?? null),
      ).toEqual(['owner', null, 'viewer']);
      expect((await store.projects.listForMember(team.editor, 10, null)).items).toEqual([]);
      const stored = await store.projects.findById(team.projectId);
      expect(stored?.currentVersion).toBe(4);
      expect(
        await count(
          store.db,
          "SELECT count(*) AS n FROM outbox WHERE aggregate_id = $1 AND type = 'project.member_removed'",
          [team.projectId],
        ),
      ).toBe(1);
    });

    it('updates the role of a member whose role changed, and only theirs, with its event', async () => {
      // Prepare
      const team = await teamProject();

      // Act
      const changed = await app.projects.changeMemberRole(
        { projectId: team.projectId, userId: team.viewer, role: 'editor' },
        as(team.owner),
      );

      // Assess
      const { rows } = await store.db.query<{ user_id: string; role: string; added_at: Date }>({
        text: 'SELECT user_id, role, added_at FROM project_members WHERE project_id = $1',
        values: [team.projectId],
      });
      expect(new Map(rows.map((r) => [r.user_id, r.role]))).toEqual(
        new Map([
          [team.owner, 'owner'],
          [team.editor, 'editor'],
          [team.viewer, 'editor'],
        ]),
      );
      const stored = await store.projects.findById(team.projectId);
      expect(stored?.snapshot()).toEqual(changed);
      expect(stored?.currentVersion).toBe(4);
      const access = await store.projects.accessFor(team.projectId, [team.viewer]);
      expect(access?.roleOf(team.viewer)).toBe('editor');
      const { rows: events } = await store.db.query<{ aggregate_version: number; payload: string }>(
        {
          text: "SELECT aggregate_version, payload FROM outbox WHERE aggregate_id = $1 AND type = 'project.member_role_changed'",
          values: [team.projectId],
        },
      );
      expect(events).toHaveLength(1);
      expect(events[0]?.aggregate_version).toBe(4);
      expect(JSON.parse(events[0]?.payload ?? '{}')).toMatchObject({
        type: 'project.member_role_changed',
        actor: team.owner,
        data: { userId: team.viewer, from: 'viewer', to: 'editor' },
      });
    });

    it('stores a member added and given another role in one save with the last role', async () => {
      // Prepare
      const { ownerId, projectId } = await ownerWithProject(app, 'Promoted');
      const newcomer = await registerUser(app, 'Newcomer');
      const project = await store.projects.findById(projectId);
      if (project === null) throw new Error('project not stored');
      const now = new Date();
      project.addMember({ actorId: ownerId, userId: newcomer, role: 'viewer', now });
      project.changeMemberRole({ actorId: ownerId, userId: newcomer, role: 'owner', now });

      // Act
      await store.projects.save(project, { correlationId: null });

      // Assess
      const access = await store.projects.accessFor(projectId, [newcomer]);
      expect(access?.roleOf(newcomer)).toBe('owner');
      expect((await store.projects.findById(projectId))?.currentVersion).toBe(3);
    });

    it('writes no role when the project went stale meanwhile', async () => {
      // Prepare
      const team = await teamProject();
      const project = await store.projects.findById(team.projectId);
      if (project === null) throw new Error('project not stored');
      await app.projects.addMember(
        { projectId: team.projectId, userId: team.stranger, role: 'viewer' },
        as(team.owner),
      );
      project.changeMemberRole({
        actorId: team.owner,
        userId: team.viewer,
        role: 'owner',
        now: new Date(),
      });

      // Act
      const attempt = store.projects.save(project, { correlationId: null });

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'STALE_VERSION' });
      const access = await store.projects.accessFor(team.projectId, [team.viewer]);
      expect(access?.roleOf(team.viewer)).toBe('viewer');
    });

    it('adds the row of a new member with its role and bumps the version', async () => {
      // Prepare
      const { ownerId, projectId } = await ownerWithProject(app, 'Growing');
      const newcomer = await registerUser(app, 'Newcomer');
      const project = await store.projects.findById(projectId);
      if (project === null) throw new Error('project not stored');
      project.addMember({ actorId: ownerId, userId: newcomer, role: 'viewer', now: new Date() });

      // Act
      await store.projects.save(project, { correlationId: null });

      // Assess
      const { rows } = await store.db.query<{ role: string }>({
        text: 'SELECT role FROM project_members WHERE project_id = $1 AND user_id = $2',
        values: [projectId, newcomer],
      });
      expect(rows).toEqual([{ role: 'viewer' }]);
      expect((await store.projects.findById(projectId))?.currentVersion).toBe(2);
    });
  });
});
