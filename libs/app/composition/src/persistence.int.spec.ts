import { Project } from '@taskflow/projects-domain';
import { uuidV7Generator } from '@taskflow/platform-kernel';
import { Comment, Task } from '@taskflow/tasks-domain';
import { DSQL_RELEASES_PER_TRANSACTION } from '@taskflow/tasks-adapters';
import { type Persistence, openPersistence } from './persistence';
import { as, count, testDatabaseConfig, token } from '@taskflow/platform-postgres/testing';
import { useOwnerWithProject } from '@taskflow/tasks-adapters/testing';
import { newUser, openMigrated, usePersistence } from './testing/persistence.fixture';
import { migrate } from './migrate';

/**
 * The repositories of every context and the platform's stores over one pool: writes made inside
 * `db.run()` share its transaction, whichever context they belong to.
 */
describe('Persistence', () => {
  const { store, app } = usePersistence('pp_persistence');
  const given = useOwnerWithProject(app);

  /** Rows of any table naming `id` in its id or aggregate column, read on a connection of its own. */
  async function traces(id: string): Promise<number> {
    const { rows } = await store.db.pool.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM users WHERE id = $1) + (SELECT count(*) FROM projects WHERE id = $1)
            + (SELECT count(*) FROM project_members WHERE project_id = $1) + (SELECT count(*) FROM tasks WHERE id = $1)
            + (SELECT count(*) FROM task_updates WHERE task_id = $1) + (SELECT count(*) FROM comments WHERE id = $1)
            + (SELECT count(*) FROM outbox WHERE aggregate_id = $1) AS n`,
      [id],
    );
    return rows[0]?.n ?? -1;
  }

  describe('db.run', () => {
    it('rolls back every repository write made inside it when the work throws, and rethrows that error', async () => {
      // Prepare
      const failure = new Error('work failed after writing');
      const now = new Date();
      const access = await store.projects.accessFor(given.projectId, [given.ownerId]);
      if (access === null) throw new Error('project not stored');
      const user = newUser('Rolled back', { now });
      const project = Project.create({
        id: uuidV7Generator.next(),
        name: 'Rolled back',
        creatorId: given.ownerId,
        now,
      });
      const task = Task.create({
        id: uuidV7Generator.next(),
        projectId: given.projectId,
        title: 'Rolled back',
        fields: {},
        actorId: given.ownerId,
        access,
        now,
      });
      const comment = Comment.create({
        id: uuidV7Generator.next(),
        taskId: task.id,
        projectId: given.projectId,
        body: 'gone',
        authorId: given.ownerId,
        access,
        now,
      });
      const existing = await given.createTask('Kept as it was');
      const idempotency = {
        actorId: given.ownerId,
        key: `k-${token()}`,
        requestHash: 'h',
        response: { status: 200, headers: {} },
        createdAt: now.toISOString(),
      };
      const seen: number[] = [];

      // Act
      const attempt = store.db.run(async () => {
        await store.users.add(user, { correlationId: null });
        await store.projects.add(project, { correlationId: null });
        await store.tasks.add(task, { correlationId: null });
        await store.comments.add(comment, { correlationId: null });
        await app.tasks.update(
          existing.id,
          { title: 'Changed', labels: ['rolled'] },
          null,
          as(given.ownerId),
        );
        await store.idempotency.put(idempotency, new Date(0));
        // Another session sees none of it yet; the transaction sees its own writes.
        seen.push(await traces(user.id), (await store.tasks.findById(task.id)) === null ? 0 : 1);
        throw failure;
      });

      // Assess
      await expect(attempt).rejects.toBe(failure);
      expect(seen).toEqual([0, 1]);
      expect(
        await Promise.all([user.id, project.id, task.id, comment.snapshot().id].map(traces)),
      ).toEqual([0, 0, 0, 0]);
      expect(await store.tasks.findById(existing.id)).toMatchObject({ version: 1 });
      expect((await store.tasks.history(existing.id)).map((entry) => entry.version)).toEqual([1]);
      expect(
        await count(store.db, 'SELECT count(*) AS n FROM outbox WHERE aggregate_id = $1', [
          existing.id,
        ]),
      ).toBe(1);
      expect(
        await store.idempotency.find(idempotency.actorId, idempotency.key, new Date(0)),
      ).toBeNull();
    });

    it('rolls back after a failed statement inside it, leaving the connection usable', async () => {
      // Prepare
      const email = `dup.${token()}@example.com`;
      await store.users.add(newUser('First', { email }), { correlationId: null });
      const second = newUser('Second', { email: email.toUpperCase() });
      const before = newUser('Before');

      // Act
      const attempt = store.db.run(async () => {
        await store.users.add(before, { correlationId: null });
        await store.users.add(second, { correlationId: null });
      });

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'EMAIL_TAKEN' });
      expect(await traces(before.id)).toBe(0);
      expect(await store.db.run(() => store.users.findByEmail(email))).not.toBeNull();
    });
  });

  describe('after close()', () => {
    let closed: Persistence;
    let knownUser: string;

    beforeAll(async () => {
      closed = await openMigrated(store.db.config.url);
      knownUser = await app.users
        .ensureByEmail({ name: 'Known', email: `known.${token()}@example.com` }, null)
        .then((u) => u.id);
      await closed.users.findById(knownUser);
      await closed.close();
    });

    it.each<[string, () => Promise<unknown>]>([
      ['a repository read', () => closed.users.findById(knownUser)],
      ['a repository write', () => closed.users.add(newUser('Late'), { correlationId: null })],
      ['a migration', () => migrate(closed)],
    ])('%s rejects', async (_what, act) => {
      // Act
      const attempt = act();

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(Error);
    });
  });

  it.each([
    ['postgres', null],
    ['dsql', DSQL_RELEASES_PER_TRANSACTION],
  ] as const)(
    'on the %s dialect, lets a member removal release %s task assignments per transaction',
    async (dialect, limit) => {
      // Act
      const opened = await openPersistence(
        testDatabaseConfig(store.db.config.url, { dialect }),
        uuidV7Generator,
      );
      await opened.close();

      // Assess (null: all of them, in the removal's own transaction)
      expect(opened.releasesPerTransaction).toBe(limit);
    },
  );
});
