import { type PendingEvent } from '@taskflow/platform-events';
import { Project, type ProjectAccess } from '@taskflow/projects-domain';
import { type WriteContext, uuidV7Generator } from '@taskflow/platform-kernel';
import { Comment, Task } from '@taskflow/tasks-domain';
import { User } from '@taskflow/users-domain';
import { count, outboxOf, token } from '@taskflow/platform-postgres/testing';
import { auditOf, registerUser, useOwnerWithProject } from '@taskflow/tasks-adapters/testing';
import { envelopeOf, newUser, usePersistence } from './testing/persistence.fixture';

/** One write of one aggregate: its id, the pending events it should add, and the write itself. */
interface WriteCase {
  readonly aggregateId: string;
  readonly events: readonly PendingEvent[];
  readonly write: (context: WriteContext) => Promise<void>;
}

/** An aggregate with the events it has yet to write. */
type Aggregate = { pullEvents(): PendingEvent[] };

/**
 * A new aggregate's write: `make` builds it with the id it is given, the same every call, so one
 * copy gives the expected events and another is written with `add`.
 */
function added<A extends Aggregate>(
  make: (id: string) => A,
  add: (aggregate: A, context: WriteContext) => Promise<void>,
): WriteCase {
  const id = uuidV7Generator.next();
  const expected = make(id).pullEvents();
  const written = make(id);
  return { aggregateId: id, events: expected, write: (context) => add(written, context) };
}

/**
 * A stored aggregate's change: two copies are loaded and changed alike, so one gives the expected
 * events and the other is written with `save`.
 */
async function changed<A extends Aggregate>(
  id: string,
  load: (id: string) => Promise<A | null>,
  change: (aggregate: A) => void,
  save: (aggregate: A, context: WriteContext) => Promise<void>,
): Promise<WriteCase> {
  const [one, two] = await Promise.all([load(id), load(id)]);
  if (one === null || two === null) throw new Error(`aggregate ${id} not stored`);
  change(one);
  change(two);
  return { aggregateId: id, events: one.pullEvents(), write: (context) => save(two, context) };
}

describe('outbox rows written with each aggregate (WriteBatch)', () => {
  const { store, app } = usePersistence('pp_outbox');
  const given = useOwnerWithProject(app);
  let assigneeId: string;
  let access: ProjectAccess;

  beforeAll(async () => {
    assigneeId = await registerUser(app, 'Assignee');
    await app.projects.addMember(
      { projectId: given.projectId, userId: assigneeId, role: 'editor' },
      { actorId: given.ownerId, correlationId: null },
    );
    const found = await store.projects.accessFor(given.projectId, [given.ownerId, assigneeId]);
    if (found === null) throw new Error('project not stored');
    access = found;
  });

  const now = new Date('2030-01-02T03:04:05.678Z');

  const cases: readonly { what: string; build: () => WriteCase | Promise<WriteCase> }[] = [
    {
      what: 'a user (user.created)',
      build: () => {
        const email = `outbox.${token()}@example.com`;
        return added(
          (id) => User.create({ id, name: 'Outbox User', email, actorId: null, now }),
          (user, context) => store.users.add(user, context),
        );
      },
    },
    {
      what: 'a project (project.created, project.member_added)',
      build: () =>
        added(
          (id) => Project.create({ id, name: 'Outbox Project', creatorId: given.ownerId, now }),
          (project, context) => store.projects.add(project, context),
        ),
    },
    {
      what: 'a task created assigned and completed (task.created, task.assigned, task.completed)',
      build: () =>
        added(
          (id) =>
            Task.create({
              id,
              projectId: given.projectId,
              title: 'Outbox task',
              fields: {
                assigneeId,
                status: 'completed',
                labels: ['a', 'b'],
                dueDate: '2030-02-01T00:00:00+02:00',
              },
              actorId: given.ownerId,
              access,
              now,
            }),
          (task, context) => store.tasks.add(task, context),
        ),
    },
    {
      what: 'a comment (comment.added)',
      build: async () => {
        const task = await given.createTask('Commented');
        return added(
          (id) =>
            Comment.create({
              id,
              taskId: task.id,
              projectId: given.projectId,
              body: ' A remark ',
              authorId: assigneeId,
              access,
              now,
            }),
          (comment, context) => store.comments.add(comment, context),
        );
      },
    },
    {
      what: 'a task update (task.updated, task.status_changed, task.assigned)',
      build: async () => {
        const created = await given.createTask('Updated');
        const patch = { status: 'in_progress', assigneeId, priority: 'high' } as const;
        return changed(
          created.id,
          (id) => store.tasks.findById(id),
          (task) => task.update(patch, given.ownerId, access, now),
          (task, context) => store.tasks.save(task, context),
        );
      },
    },
    {
      what: 'a project member added (project.member_added)',
      build: async () => {
        const created = await app.projects.create(
          { name: 'Grows' },
          { actorId: given.ownerId, correlationId: null },
        );
        return changed(
          created.id,
          (id) => store.projects.findById(id),
          (project) =>
            project.addMember({ actorId: given.ownerId, userId: assigneeId, role: 'viewer', now }),
          (project, context) => store.projects.save(project, context),
        );
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
    const user = newUser('Uncorrelated', { now });

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
      projectId: given.projectId,
      title: 'Audited',
      fields: { description: 'why', labels: ['x'], priority: 'urgent' },
      actorId: given.ownerId,
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
    expect(row).toMatchObject({ version: 1, field: '*', actor_id: given.ownerId });
    expect(JSON.parse(row?.old_value ?? '')).toBeNull();
    expect(JSON.parse(row?.new_value ?? '')).toEqual({
      title: snapshot.title,
      description: snapshot.description,
      status: snapshot.status,
      priority: snapshot.priority,
      assigneeId: snapshot.assigneeId,
      dueDate: snapshot.dueDate,
      labels: snapshot.labels,
      rank: snapshot.rank,
      completedAt: snapshot.completedAt,
    });
  });

  it('writes one task_updates row per changed field of an update, at the new version', async () => {
    // Prepare
    const created = await given.createTask('Before');

    // Act
    await app.tasks.update(created.id, { title: 'After', labels: ['l1'] }, created.version, {
      actorId: given.ownerId,
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
      Task.create({
        id,
        projectId: given.projectId,
        title,
        fields: { assigneeId },
        actorId: given.ownerId,
        access,
        now,
      });
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
