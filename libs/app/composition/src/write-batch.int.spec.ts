import { type PendingEvent } from '@taskflow/platform-events';
import { Project, type ProjectAccess } from '@taskflow/projects-domain';
import { type WriteContext, uuidV7Generator } from '@taskflow/platform-kernel';
import { Comment, Task } from '@taskflow/tasks-domain';
import { User } from '@taskflow/users-domain';
import { count, outboxOf, token } from '@taskflow/platform-postgres/testing';
import { auditOf, ownerWithProject, registerUser } from '@taskflow/tasks-adapters/testing';
import { envelopeOf, usePersistence } from './testing/persistence.fixture';

/**
 * One write of one aggregate. `make` builds the aggregate in the same state every time it is
 * called, so that one copy gives the expected pending events and another is written.
 */
interface WriteCase {
  readonly aggregateId: string;
  readonly events: readonly PendingEvent[];
  readonly write: (context: WriteContext) => Promise<void>;
}

function twice<A extends { pullEvents(): PendingEvent[] }>(
  make: () => A,
): { expected: PendingEvent[]; written: A } {
  return { expected: make().pullEvents(), written: make() };
}

describe('outbox rows written with each aggregate (WriteBatch)', () => {
  const { store, app } = usePersistence('pp_outbox');
  let ownerId: string;
  let projectId: string;
  let assigneeId: string;
  let access: ProjectAccess;

  beforeAll(async () => {
    ({ ownerId, projectId } = await ownerWithProject(app));
    assigneeId = await registerUser(app, 'Assignee');
    await app.projects.addMember(
      { projectId, userId: assigneeId, role: 'editor' },
      { actorId: ownerId, correlationId: null },
    );
    const found = await store.projects.accessFor(projectId, [ownerId, assigneeId]);
    if (found === null) throw new Error('project not stored');
    access = found;
  });

  const now = new Date('2030-01-02T03:04:05.678Z');

  const cases: readonly { what: string; build: () => Promise<WriteCase> }[] = [
    {
      what: 'a user (user.created)',
      build: () => {
        const id = uuidV7Generator.next();
        const email = `outbox.${token()}@example.com`;
        const { expected, written } = twice(() =>
          User.create({ id, name: 'Outbox User', email, actorId: null, now }),
        );
        return Promise.resolve({
          aggregateId: id,
          events: expected,
          write: (context) => store.users.add(written, context),
        });
      },
    },
    {
      what: 'a project (project.created, project.member_added)',
      build: () => {
        const id = uuidV7Generator.next();
        const { expected, written } = twice(() =>
          Project.create({ id, name: 'Outbox Project', creatorId: ownerId, now }),
        );
        return Promise.resolve({
          aggregateId: id,
          events: expected,
          write: (context) => store.projects.add(written, context),
        });
      },
    },
    {
      what: 'a task created assigned and completed (task.created, task.assigned, task.completed)',
      build: () => {
        const id = uuidV7Generator.next();
        const { expected, written } = twice(() =>
          Task.create({
            id,
            projectId,
            title: 'Outbox task',
            fields: {
              assigneeId,
              status: 'completed',
              labels: ['a', 'b'],
              dueDate: '2030-02-01T00:00:00+02:00',
            },
            actorId: ownerId,
            access,
            now,
          }),
        );
        return Promise.resolve({
          aggregateId: id,
          events: expected,
          write: (context) => store.tasks.add(written, context),
        });
      },
    },
    {
      what: 'a comment (comment.added)',
      build: async () => {
        const task = await app.tasks.create(
          { projectId, title: 'Commented' },
          { actorId: ownerId, correlationId: null },
        );
        const id = uuidV7Generator.next();
        const { expected, written } = twice(() =>
          Comment.create({
            id,
            taskId: task.id,
            projectId,
            body: ' A remark ',
            authorId: assigneeId,
            access,
            now,
          }),
        );
        return {
          aggregateId: id,
          events: expected,
          write: (context) => store.comments.add(written, context),
        };
      },
    },
    {
      what: 'a task update (task.updated, task.status_changed, task.assigned)',
      build: async () => {
        const created = await app.tasks.create(
          { projectId, title: 'Updated' },
          { actorId: ownerId, correlationId: null },
        );
        const load = async (): Promise<Task> => {
          const task = await store.tasks.findById(created.id);
          if (task === null) throw new Error('task not stored');
          return task;
        };
        const [one, two] = await Promise.all([load(), load()]);
        const patch = { status: 'in_progress', assigneeId, priority: 'high' } as const;
        one.update(patch, ownerId, access, now);
        two.update(patch, ownerId, access, now);
        return {
          aggregateId: created.id,
          events: one.pullEvents(),
          write: (context) => store.tasks.save(two, context),
        };
      },
    },
    {
      what: 'a project member added (project.member_added)',
      build: async () => {
        const created = await app.projects.create(
          { name: 'Grows' },
          { actorId: ownerId, correlationId: null },
        );
        const load = async (): Promise<Project> => {
          const project = await store.projects.findById(created.id);
          if (project === null) throw new Error('project not stored');
          return project;
        };
        const [one, two] = await Promise.all([load(), load()]);
        one.addMember({ actorId: ownerId, userId: assigneeId, role: 'viewer', now });
        two.addMember({ actorId: ownerId, userId: assigneeId, role: 'viewer', now });
        return {
          aggregateId: created.id,
          events: one.pullEvents(),
          write: (context) => store.projects.save(two, context),
        };
      },
    },
  ];

  it.each(cases)(
    'writing $what adds exactly one outbox row per pending event, each a valid envelope',
    async ({ build }) => {
      // Prepare
      const subject = await build();
      const correlationId = `corr-${token()}`;
      const before = await outboxOf(store.db, subject.aggregateId);

      // Act
      await subject.write({ correlationId });

      // Assess
      const rows = (await outboxOf(store.db, subject.aggregateId)).filter(
        (row) => !before.some((old) => old.id === row.id),
      );
      expect(rows.map((row) => row.type).sort()).toEqual(
        subject.events.map((event) => event.type).sort(),
      );
      for (const row of rows) {
        const envelope = envelopeOf(row);
        const pending = subject.events.find((event) => event.type === row.type);
        expect(envelope).toEqual({ ...pending, id: row.id, schemaVersion: 1, correlationId });
        expect(row).toMatchObject({
          schema_version: envelope.schemaVersion,
          aggregate_id: envelope.aggregateId,
          aggregate_version: envelope.aggregateVersion,
          project_id: envelope.projectId,
          actor_id: envelope.actor,
          correlation_id: correlationId,
          occurred_at: new Date(envelope.occurredAt),
        });
      }
      expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
    },
  );

  it('stores a null correlation id as null, in the column and in the envelope', async () => {
    // Prepare
    const user = User.create({
      id: uuidV7Generator.next(),
      name: 'Uncorrelated',
      email: `none.${token()}@example.com`,
      actorId: null,
      now,
    });

    // Act
    await store.users.add(user, { correlationId: null });

    // Assess
    const rows = await outboxOf(store.db, user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.correlation_id).toBeNull();
    expect(rows.map((row) => envelopeOf(row).correlationId)).toEqual([null]);
  });

  it('writes one task_updates row with field * at version 1 when a task is added', async () => {
    // Prepare
    const task = Task.create({
      id: uuidV7Generator.next(),
      projectId,
      title: 'Audited',
      fields: { description: 'why', labels: ['x'], priority: 'urgent' },
      actorId: ownerId,
      access,
      now,
    });
    const snapshot = task.snapshot();

    // Act
    await store.tasks.add(task, { correlationId: null });

    // Assess
    const audit = await auditOf(store.db, task.id);
    expect(audit).toHaveLength(1);
    const [row] = audit;
    expect(row).toMatchObject({ version: 1, field: '*', actor_id: ownerId });
    expect(JSON.parse(row?.old_value ?? '')).toBeNull();
    expect(JSON.parse(row?.new_value ?? '')).toEqual({
      title: snapshot.title,
      description: snapshot.description,
      status: snapshot.status,
      priority: snapshot.priority,
      assigneeId: snapshot.assigneeId,
      dueDate: snapshot.dueDate,
      labels: snapshot.labels,
      completedAt: snapshot.completedAt,
    });
  });

  it('writes one task_updates row per changed field of an update, at the new version', async () => {
    // Prepare
    const created = await app.tasks.create(
      { projectId, title: 'Before' },
      { actorId: ownerId, correlationId: null },
    );

    // Act
    await app.tasks.update(created.id, { title: 'After', labels: ['l1'] }, created.version, {
      actorId: ownerId,
      correlationId: null,
    });

    // Assess
    const audit = await auditOf(store.db, created.id);
    expect(audit.map((row) => [row.version, row.field])).toEqual([
      [1, '*'],
      [2, 'labels'],
      [2, 'title'],
    ]);
    expect(
      audit.filter((row) => row.version === 2).map((row) => [row.old_value, row.new_value]),
    ).toEqual([
      ['[]', '["l1"]'],
      ['"Before"', '"After"'],
    ]);
  });

  it('writes nothing at all when the aggregate row fails (a task id taken twice)', async () => {
    // Prepare
    const id = uuidV7Generator.next();
    const make = (title: string): Task =>
      Task.create({ id, projectId, title, fields: { assigneeId }, actorId: ownerId, access, now });
    await store.tasks.add(make('First'), { correlationId: null });
    const outboxBefore = await count(
      store.db,
      'SELECT count(*) AS n FROM outbox WHERE aggregate_id = $1',
      [id],
    );

    // Act
    const attempt = store.tasks.add(make('Second'), { correlationId: null });

    // Assess
    await expect(attempt).rejects.toMatchObject({ code: '23505', constraint: 'tasks_pkey' });
    expect(outboxBefore).toBe(2);
    expect(
      await count(store.db, 'SELECT count(*) AS n FROM outbox WHERE aggregate_id = $1', [id]),
    ).toBe(2);
    expect(await auditOf(store.db, id)).toHaveLength(1);
    expect((await store.tasks.findById(id))?.snapshot().title).toBe('First');
  });
});
