import type { Project } from '@taskflow/projects-domain';
import { StaleVersionError } from '@taskflow/platform-kernel';
import { type Task, type TaskField, type TaskPatch } from '@taskflow/tasks-domain';
import { as, count, outboxOf } from '@taskflow/platform-postgres/testing';
import {
  auditOf,
  registerUser,
  useOwnerWithProject,
  useTasksDatabase,
} from './testing/database.fixture';

describe('optimistic concurrency', () => {
  const { store, app } = useTasksDatabase('pp_occ');
  const given = useOwnerWithProject(app);

  async function loadTask(id: string): Promise<Task> {
    const task = await store.tasks.findById(id);
    if (task === null) throw new Error(`task ${id} not stored`);
    return task;
  }

  async function loadProject(id: string): Promise<Project> {
    const project = await store.projects.findById(id);
    if (project === null) throw new Error(`project ${id} not stored`);
    return project;
  }

  async function memberIds(id: string): Promise<string[]> {
    return (await loadProject(id)).snapshot().members.map((member) => member.userId);
  }

  describe('tasks', () => {
    it('refuses the second of two saves from the same version, which writes nothing', async () => {
      // Prepare
      const created = await given.createTask('Contended');
      const access = await store.projects.accessFor(given.projectId, [given.ownerId]);
      if (access === null) throw new Error('project not stored');
      const [first, second] = await Promise.all([loadTask(created.id), loadTask(created.id)]);
      first.update({ title: 'First wins' }, given.ownerId, access, new Date());
      second.update(
        { description: 'Second loses', priority: 'urgent' },
        given.ownerId,
        access,
        new Date(),
      );
      await store.tasks.save(first, { correlationId: 'first' });
      const auditBefore = await auditOf(store.db, created.id);
      const outboxBefore = await outboxOf(store.db, created.id);

      // Act
      const attempt = store.tasks.save(second, { correlationId: 'second' });

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(StaleVersionError);
      await expect(attempt).rejects.toMatchObject({ code: 'STALE_VERSION', expectedVersion: 1 });
      expect(await auditOf(store.db, created.id)).toEqual(auditBefore);
      expect(await outboxOf(store.db, created.id)).toEqual(outboxBefore);
      expect(
        await count(store.db, "SELECT count(*) AS n FROM outbox WHERE correlation_id = 'second'"),
      ).toBe(0);
      expect((await loadTask(created.id)).snapshot()).toMatchObject({
        version: 2,
        title: 'First wins',
        description: '',
        priority: 'medium',
      });
    });

    it('applies 50 concurrent updates through the use case, each its own version, none lost', async () => {
      // Prepare: each update sets a value no other update sets, in one of three fields.
      const created = await given.createTask('Hot task');
      const fields = ['title', 'description', 'labels'] as const;
      const updates = Array.from({ length: 50 }, (_, i) => {
        const field = fields[i % fields.length] ?? 'description';
        const value = `${field}-${i}`;
        const patch: TaskPatch = field === 'labels' ? { labels: [value] } : { [field]: value };
        return { field, value, patch };
      });

      // Act
      const results = await Promise.allSettled(
        updates.map(({ patch }) => app.tasks.update(created.id, patch, null, as(given.ownerId))),
      );

      // Assess
      expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
      const final = await loadTask(created.id);
      expect(final.version).toBe(51);
      const history = await store.tasks.history(created.id);
      expect(history.map((entry) => entry.version)).toEqual(
        Array.from({ length: 51 }, (_, i) => i + 1),
      );
      expect(history[0]?.action).toBe('created');
      const written = history.slice(1).map((entry) => {
        const changed = Object.entries(entry.changes) as [TaskField, { newValue: unknown }][];
        expect(changed).toHaveLength(1);
        const [field, change] = changed[0] ?? ['', { newValue: null }];
        return {
          field,
          value: Array.isArray(change.newValue) ? change.newValue[0] : change.newValue,
        };
      });
      expect(written.map((w) => `${w.field}=${String(w.value)}`).sort()).toEqual(
        updates.map((u) => `${u.field}=${u.value}`).sort(),
      );
      // The stored task holds, per field, the value of the last version that changed it.
      const snapshot = final.snapshot();
      for (const field of fields) {
        const last = written.filter((w) => w.field === field).at(-1);
        const stored = field === 'labels' ? snapshot.labels[0] : snapshot[field];
        expect(stored).toBe(last?.value);
      }
      expect(
        await count(
          store.db,
          "SELECT count(*) AS n FROM outbox WHERE aggregate_id = $1 AND type = 'task.updated'",
          [created.id],
        ),
      ).toBe(50);
      expect(
        await count(
          store.db,
          'SELECT count(DISTINCT aggregate_version) AS n FROM outbox WHERE aggregate_id = $1',
          [created.id],
        ),
      ).toBe(51);
    });
  });

  describe('projects', () => {
    it('refuses the second of two member additions from the same version, which writes nothing', async () => {
      // Prepare
      const project = await app.projects.create({ name: 'Contended project' }, as(given.ownerId));
      const [alice, bob] = await Promise.all([
        registerUser(app, 'Alice'),
        registerUser(app, 'Bob'),
      ]);
      const [first, second] = await Promise.all([loadProject(project.id), loadProject(project.id)]);
      first.addMember({ actorId: given.ownerId, userId: alice, role: 'editor', now: new Date() });
      second.addMember({ actorId: given.ownerId, userId: bob, role: 'viewer', now: new Date() });
      await store.projects.save(first, { correlationId: 'first' });
      const outboxBefore = await outboxOf(store.db, project.id);

      // Act
      const attempt = store.projects.save(second, { correlationId: 'second' });

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(StaleVersionError);
      await expect(attempt).rejects.toMatchObject({ expectedVersion: 1 });
      expect(await memberIds(project.id)).toEqual([given.ownerId, alice]);
      expect(
        await count(store.db, 'SELECT count(*) AS n FROM project_members WHERE user_id = $1', [
          bob,
        ]),
      ).toBe(0);
      expect(await outboxOf(store.db, project.id)).toEqual(outboxBefore);
      expect((await loadProject(project.id)).currentVersion).toBe(2);
    });

    it('refuses a stale member removal, which keeps the member', async () => {
      // Prepare
      const project = await app.projects.create({ name: 'Keeps members' }, as(given.ownerId));
      const [carol, dave] = await Promise.all([
        registerUser(app, 'Carol'),
        registerUser(app, 'Dave'),
      ]);
      await app.projects.addMember(
        { projectId: project.id, userId: carol, role: 'editor' },
        as(given.ownerId),
      );
      const [adder, remover] = await Promise.all([
        loadProject(project.id),
        loadProject(project.id),
      ]);
      adder.addMember({ actorId: given.ownerId, userId: dave, role: 'viewer', now: new Date() });
      remover.removeMember({ actorId: given.ownerId, userId: carol, now: new Date() });
      await store.projects.save(adder, { correlationId: null });

      // Act
      const attempt = store.projects.save(remover, { correlationId: 'stale-remove' });

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(StaleVersionError);
      expect(await memberIds(project.id)).toEqual([given.ownerId, carol, dave]);
      expect(
        await count(
          store.db,
          "SELECT count(*) AS n FROM outbox WHERE correlation_id = 'stale-remove'",
        ),
      ).toBe(0);
    });

    it('lets concurrent member additions through the use case all land (retrying on fresh state)', async () => {
      // Prepare
      const project = await app.projects.create({ name: 'Popular' }, as(given.ownerId));
      const joiners = await Promise.all(
        Array.from({ length: 8 }, (_, i) => registerUser(app, `Joiner ${i}`)),
      );

      // Act
      await Promise.all(
        joiners.map((userId) =>
          app.projects.addMember(
            { projectId: project.id, userId, role: 'viewer' },
            as(given.ownerId),
          ),
        ),
      );

      // Assess
      const stored = await loadProject(project.id);
      expect(stored.currentVersion).toBe(1 + joiners.length);
      expect([...(await memberIds(project.id))].sort()).toEqual([given.ownerId, ...joiners].sort());
      expect(
        await count(
          store.db,
          "SELECT count(*) AS n FROM outbox WHERE aggregate_id = $1 AND type = 'project.member_added'",
          [project.id],
        ),
      ).toBe(1 + joiners.length);
    });
  });
});
