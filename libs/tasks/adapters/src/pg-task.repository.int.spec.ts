import { ValidationError, uuidV7Generator } from '@taskflow/platform-kernel';
import type { CreateTaskInput } from '@taskflow/tasks-application';
import { NO_TASK_FILTERS, type TaskListQuery, defaultTaskRank } from '@taskflow/tasks-domain';
import { encodeCursor, encodeKeyedCursor } from '@taskflow/platform-postgres';
import { as } from '@taskflow/platform-postgres/testing';
import { ownerWithProject, registerUser, useTasksDatabase } from './testing/database.fixture';

type Who = 'owner' | 'editor' | 'outsider';
type Filters = Partial<Omit<TaskListQuery, 'memberId' | 'projectId'>> & {
  readonly project?: 'p1' | 'p2' | 'p3';
};

describe('PgTaskRepository', () => {
  const { store, app } = useTasksDatabase('pp_tasks');
  const users = new Map<Who, string>();
  const projects = new Map<'p1' | 'p2' | 'p3', string>();
  const titleOf = new Map<string, string>();

  const idOf = <K>(map: ReadonlyMap<K, string>, key: K): string => {
    const id = map.get(key);
    if (id === undefined) throw new Error(`no id for ${String(key)}`);
    return id;
  };

  function query(who: Who, filters: Filters = {}): TaskListQuery {
    const { project, ...rest } = filters;
    return {
      memberId: idOf(users, who),
      ...NO_TASK_FILTERS,
      projectId: project === undefined ? null : idOf(projects, project),
      ...rest,
    };
  }

  async function titles(q: TaskListQuery): Promise<string[]> {
    const page = await store.tasks.list(q);
    return page.items.map((task) => titleOf.get(task.id) ?? `?${task.id}`);
  }

  beforeAll(async () => {
    const first = await ownerWithProject(app, 'P1');
    const owner = first.ownerId;
    const editor = await registerUser(app, 'Editor');
    const p2 = await app.projects.create({ name: 'P2' }, as(owner));
    const foreign = await ownerWithProject(app, 'P3');
    await app.projects.addMember(
      { projectId: first.projectId, userId: editor, role: 'editor' },
      as(owner),
    );
    users.set('owner', owner).set('editor', editor).set('outsider', foreign.ownerId);
    projects.set('p1', first.projectId).set('p2', p2.id).set('p3', foreign.projectId);

    // Created one after the other, so ids (UUIDv7) order them oldest to newest: t1 … t7.
    const seed: [string, Who, Omit<CreateTaskInput, 'title'>][] = [
      [
        't1',
        'owner',
        {
          projectId: first.projectId,
          status: 'pending',
          priority: 'low',
          assigneeId: editor,
          labels: ['backend'],
          dueDate: '2030-01-10T00:00:00Z',
        },
      ],
      [
        't2 fix 100% bug',
        'owner',
        {
          projectId: first.projectId,
          description: 'percent',
          status: 'in_progress',
          priority: 'high',
          labels: ['bug', 'backend'],
          dueDate: '2030-02-10T00:00:00Z',
        },
      ],
      [
        't3',
        'editor',
        { projectId: first.projectId, status: 'blocked', priority: 'urgent', assigneeId: owner },
      ],
      [
        't4 plan a_b',
        'owner',
        {
          projectId: p2.id,
          status: 'completed',
          priority: 'medium',
          assigneeId: owner,
          labels: ['bug'],
          dueDate: '2030-03-10T00:00:00Z',
        },
      ],
      [
        't5',
        'owner',
        {
          projectId: p2.id,
          description: 'has a NEEDLE inside',
          status: 'pending',
          priority: 'high',
          labels: ['frontend'],
          dueDate: '2030-01-20T00:00:00Z',
        },
      ],
      [
        't6 deleted',
        'owner',
        {
          projectId: first.projectId,
          status: 'pending',
          priority: 'high',
          assigneeId: editor,
          labels: ['backend', 'bug'],
          description: 'needle',
        },
      ],
      [
        't7 foreign',
        'outsider',
        {
          projectId: foreign.projectId,
          status: 'pending',
          priority: 'high',
          labels: ['backend', 'bug'],
          dueDate: '2030-01-12T00:00:00Z',
        },
      ],
    ];
    for (const [title, who, input] of seed) {
      const task = await app.tasks.create({ ...input, title }, as(idOf(users, who)));
      titleOf.set(task.id, title);
      if (title === 't6 deleted') await app.tasks.delete(task.id, null, as(owner));
    }
  });

  describe('list filters, each alone (as the owner of p1 and p2, newest first)', () => {
    // A filter naming a user is a function: the users exist only once `beforeAll` has run.
    it.each<{ filter: string; filters: Filters | (() => Filters); expected: string[] }>([
      {
        filter: 'none',
        filters: {},
        expected: ['t5', 't4 plan a_b', 't3', 't2 fix 100% bug', 't1'],
      },
      {
        filter: 'projectId p1',
        filters: { project: 'p1' },
        expected: ['t3', 't2 fix 100% bug', 't1'],
      },
      { filter: 'projectId p2', filters: { project: 'p2' }, expected: ['t5', 't4 plan a_b'] },
      { filter: 'status pending', filters: { status: 'pending' }, expected: ['t5', 't1'] },
      { filter: 'status completed', filters: { status: 'completed' }, expected: ['t4 plan a_b'] },
      { filter: 'status cancelled', filters: { status: 'cancelled' }, expected: [] },
      {
        filter: 'priority high',
        filters: { priority: 'high' },
        expected: ['t5', 't2 fix 100% bug'],
      },
      { filter: 'priority urgent', filters: { priority: 'urgent' }, expected: ['t3'] },
      {
        filter: 'label backend',
        filters: { label: 'backend' },
        expected: ['t2 fix 100% bug', 't1'],
      },
      {
        filter: 'label bug',
        filters: { label: 'bug' },
        expected: ['t4 plan a_b', 't2 fix 100% bug'],
      },
      { filter: 'label back (no partial match)', filters: { label: 'back' }, expected: [] },
      { filter: 'q needle (description, any case)', filters: { q: 'needle' }, expected: ['t5'] },
      { filter: 'q FIX (title, any case)', filters: { q: 'FIX' }, expected: ['t2 fix 100% bug'] },
      { filter: 'q % (literal)', filters: { q: '%' }, expected: ['t2 fix 100% bug'] },
      { filter: 'q 100% (literal)', filters: { q: '100%' }, expected: ['t2 fix 100% bug'] },
      { filter: 'q _ (literal)', filters: { q: '_' }, expected: ['t4 plan a_b'] },
      { filter: 'q a_b (literal)', filters: { q: 'a_b' }, expected: ['t4 plan a_b'] },
      {
        filter: 'dueBefore 2030-02-01',
        filters: { dueBefore: '2030-02-01T00:00:00.000Z' },
        expected: ['t5', 't1'],
      },
      {
        filter: 'dueBefore 2030-01-10 (exclusive)',
        filters: { dueBefore: '2030-01-10T00:00:00.000Z' },
        expected: [],
      },
      {
        filter: 'dueAfter 2030-02-01',
        filters: { dueAfter: '2030-02-01T00:00:00.000Z' },
        expected: ['t4 plan a_b', 't2 fix 100% bug'],
      },
      {
        filter: 'dueAfter 2030-03-10 (exclusive)',
        filters: { dueAfter: '2030-03-10T00:00:00.000Z' },
        expected: [],
      },
      {
        filter: 'assigneeId editor',
        filters: () => ({ assigneeId: idOf(users, 'editor') }),
        expected: ['t1'],
      },
      {
        filter: 'assigneeId owner',
        filters: () => ({ assigneeId: idOf(users, 'owner') }),
        expected: ['t4 plan a_b', 't3'],
      },
      {
        filter: 'assigneeId of nobody',
        filters: () => ({ assigneeId: uuidV7Generator.next() }),
        expected: [],
      },
    ])('$filter', async ({ filters, expected }) => {
      // Act
      const listed = await titles(
        query('owner', typeof filters === 'function' ? filters() : filters),
      );

      // Assess
      expect(listed).toEqual(expected);
    });

    it('combines filters with AND', async () => {
      // Act
      const listed = await titles(
        query('owner', {
          project: 'p1',
          label: 'backend',
          priority: 'high',
          dueAfter: '2030-01-01T00:00:00Z',
        }),
      );

      // Assess
      expect(listed).toEqual(['t2 fix 100% bug']);
    });
  });

  describe('membership (memberId)', () => {
    it.each<{ who: Who; filters: Filters; expected: string[] }>([
      { who: 'editor', filters: {}, expected: ['t3', 't2 fix 100% bug', 't1'] },
      { who: 'editor', filters: { project: 'p1' }, expected: ['t3', 't2 fix 100% bug', 't1'] },
      { who: 'editor', filters: { project: 'p2' }, expected: [] },
      { who: 'outsider', filters: {}, expected: ['t7 foreign'] },
      { who: 'outsider', filters: { project: 'p1' }, expected: [] },
      { who: 'outsider', filters: { label: 'bug' }, expected: ['t7 foreign'] },
      { who: 'owner', filters: { project: 'p3' }, expected: [] },
      { who: 'owner', filters: { q: 'foreign' }, expected: [] },
    ])('$who with $filters sees $expected', async ({ who, filters, expected }) => {
      // Act
      const listed = await titles(query(who, filters));

      // Assess
      expect(listed).toEqual(expected);
    });

    it('shows nothing to a user of no project', async () => {
      // Prepare
      const loner = await registerUser(app, 'Loner');

      // Act
      const page = await store.tasks.list({ ...query('owner'), memberId: loner });

      // Assess
      expect(page).toEqual({ items: [], nextCursor: null });
    });
  });

  describe('deleted tasks', () => {
    it('are left out of every listing but still found by id, with their history', async () => {
      // Prepare
      const deletedId = [...titleOf].find(([, title]) => title === 't6 deleted')?.[0] ?? '';

      // Act
      const listings = await Promise.all([
        titles(query('owner')),
        titles(query('owner', { label: 'bug' })),
        titles(query('owner', { q: 'needle' })),
        titles(query('editor', { assigneeId: idOf(users, 'editor') })),
      ]);
      const found = await store.tasks.findById(deletedId);
      const history = await store.tasks.history(deletedId);

      // Assess
      expect(listings.flat()).not.toContain('t6 deleted');
      expect(found?.isDeleted).toBe(true);
      expect(history.map((entry) => [entry.version, entry.action])).toEqual([
        [1, 'created'],
        [2, 'deleted'],
      ]);
    });
  });

  describe('pagination', () => {
    it('stays stable while new tasks are inserted between pages', async () => {
      // Prepare
      const owner = idOf(users, 'owner');
      const project = await app.projects.create({ name: 'Paged' }, as(owner));
      const originals: string[] = [];
      for (let i = 0; i < 7; i += 1)
        originals.push(
          (await app.tasks.create({ projectId: project.id, title: `page ${i}` }, as(owner))).id,
        );
      const paged = { ...query('owner'), projectId: project.id, limit: 3 };
      const insert = async (title: string): Promise<string> =>
        (await app.tasks.create({ projectId: project.id, title }, as(owner))).id;

      // Act
      const first = await store.tasks.list(paged);
      const inserted = [await insert('new a'), await insert('new b')];
      const second = await store.tasks.list({ ...paged, cursor: first.nextCursor });
      inserted.push(await insert('new c'));
      const third = await store.tasks.list({ ...paged, cursor: second.nextCursor });
      const fresh = await store.tasks.list({ ...paged, limit: 50 });

      // Assess
      const ids = [first, second, third].map((page) => page.items.map((task) => task.id));
      expect(ids.map((page) => page.length)).toEqual([3, 3, 1]);
      expect(ids.flat()).toEqual([...originals].reverse());
      expect(first.nextCursor).not.toBeNull();
      expect(second.nextCursor).not.toBeNull();
      expect(third.nextCursor).toBeNull();
      expect(fresh.items.map((task) => task.id)).toEqual(
        [...inserted].reverse().concat([...originals].reverse()),
      );
    });

    it('returns the same page for the same cursor', async () => {
      // Prepare
      const first = await store.tasks.list({ ...query('owner'), limit: 2 });

      // Act
      const again = await Promise.all(
        [1, 2].map(() =>
          store.tasks.list({ ...query('owner'), limit: 2, cursor: first.nextCursor }),
        ),
      );

      // Assess
      expect(again[0]?.items.map((task) => task.id)).toEqual(
        again[1]?.items.map((task) => task.id),
      );
      expect(again[0]?.items).toHaveLength(2);
    });

    it.each([
      ['garbage', 'definitely not a cursor'],
      ['base64 of a non-id', encodeCursor('not-a-uuid')],
    ])('refuses a %s cursor with ValidationError INVALID_CURSOR', async (_what, cursor) => {
      // Act
      const attempt = store.tasks.list({ ...query('owner'), cursor });

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(ValidationError);
      await expect(attempt).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
    });
  });

  describe('board order (order: rank)', () => {
    it('lists by rank, then id, bytewise, page by page; new tasks without a rank go on top', async () => {
      // Prepare
      const owner = idOf(users, 'owner');
      const project = await app.projects.create({ name: 'Ranked' }, as(owner));
      const titled = new Map<string, string>();
      const make = async (title: string, rank?: string): Promise<void> => {
        const task = await app.tasks.create(
          { projectId: project.id, title, ...(rank === undefined ? {} : { rank }) },
          as(owner),
        );
        titled.set(task.id, title);
      };
      // Bytewise, Z (0x5A) sorts before a (0x61); a locale's order would put aa first.
      await make('third', 'aa');
      await make('second', 'aZ');
      await make('first', 'a0');
      await make('tie one', 'ab');
      await make('tie two', 'ab');
      await make('older default');
      await make('newer default');
      const ranked = {
        ...query('owner'),
        projectId: project.id,
        order: 'rank' as const,
        limit: 3,
      };

      // Act
      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const page = await store.tasks.list({ ...ranked, cursor });
        pages.push(page.items.map((task) => titled.get(task.id) ?? '?'));
        cursor = page.nextCursor;
      } while (cursor !== null && pages.length < 5);

      // Assess
      expect(pages).toEqual([
        ['newer default', 'older default', 'first'],
        ['second', 'third', 'tie one'],
        ['tie two'],
      ]);
    });

    it('moves a task by its rank, keeping every other task where it was', async () => {
      // Prepare
      const owner = idOf(users, 'owner');
      const project = await app.projects.create({ name: 'Moves' }, as(owner));
      const [a, b, c] = await Promise.all(
        ['a0', 'a1', 'a2'].map((rank) =>
          app.tasks.create({ projectId: project.id, title: rank, rank }, as(owner)),
        ),
      );
      if (a === undefined || b === undefined || c === undefined) throw new Error('not created');

      // Act
      await app.tasks.update(c.id, { rank: 'a0V' }, c.version, as(owner));
      const page = await store.tasks.list({
        ...query('owner'),
        projectId: project.id,
        order: 'rank',
      });

      // Assess
      expect(page.items.map((task) => task.snapshot().title)).toEqual(['a0', 'a2', 'a1']);
      expect((await store.tasks.findById(c.id))?.snapshot().rank).toBe('a0V');
    });

    it('ranks a task stored before ranks existed (rank null) by its creation instant', async () => {
      // Prepare
      const owner = idOf(users, 'owner');
      const project = await app.projects.create({ name: 'Legacy' }, as(owner));
      const legacy = await app.tasks.create({ projectId: project.id, title: 'legacy' }, as(owner));
      await store.db.query({
        text: 'UPDATE tasks SET rank = NULL WHERE id = $1',
        values: [legacy.id],
      });

      // Act
      const found = await store.tasks.findById(legacy.id);
      const [listed] = (
        await store.tasks.list({ ...query('owner'), projectId: project.id, order: 'rank' })
      ).items;

      // Assess
      expect(found?.snapshot().rank).toBe(defaultTaskRank(legacy.createdAt));
      expect(listed?.snapshot().rank).toBe(legacy.rank);
    });

    it.each([
      ['an id cursor in board order', 'rank', encodeCursor('0190a5f2-7c3e-7abc-8def-000000000002')],
      [
        'a board cursor in newest order',
        'newest',
        encodeKeyedCursor({ key: 'a0', id: '0190a5f2-7c3e-7abc-8def-000000000002' }),
      ],
    ] as const)('refuses %s with INVALID_CURSOR', async (_what, order, cursor) => {
      // Act
      const attempt = store.tasks.list({ ...query('owner'), order, cursor });

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
    });
  });

  describe('findById', () => {
    it('round-trips every field of a task', async () => {
      // Prepare
      const owner = idOf(users, 'owner');
      const created = await app.tasks.create(
        {
          projectId: idOf(projects, 'p1'),
          title: '  Round trip  ',
          description: 'multi\nline ✓',
          status: 'completed',
          priority: 'urgent',
          assigneeId: idOf(users, 'editor'),
          labels: ['x', 'y z', 'ünïcode'],
          dueDate: '2031-06-15T12:30:45.123+02:00',
        },
        as(owner),
      );

      // Act
      const found = await store.tasks.findById(created.id);

      // Assess
      expect(found?.snapshot()).toEqual(created);
      expect(found?.loadedVersion).toBe(1);
    });

    it('answers null for an unknown id', async () => {
      // Act
      const found = await store.tasks.findById(uuidV7Generator.next());

      // Assess
      expect(found).toBeNull();
    });
  });
});
