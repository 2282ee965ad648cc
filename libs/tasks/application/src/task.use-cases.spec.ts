import type { RequestContext } from '@taskflow/platform-ports';
import { type ProjectRole } from '@taskflow/projects-domain';
import { ProjectUseCases } from '@taskflow/projects-application';
import {
  ForbiddenError,
  NotFoundError,
  StaleVersionError,
  ValidationError,
} from '@taskflow/platform-kernel';
import { CountingTransactionRunner, expectRejection } from '@taskflow/platform-testing';
import { type InMemoryPorts, inMemoryPorts } from '@taskflow/tasks-testing';
import {
  NO_TASK_FILTERS,
  TASK_INSTANT_RULE,
  TASK_MUTABLE_FIELDS,
  type taskUpdated,
} from '@taskflow/tasks-domain';
import { UserUseCases } from '@taskflow/users-application';
import { type CreateTaskInput, type ListTasksInput, TaskUseCases } from './task.use-cases';

interface World {
  readonly ports: InMemoryPorts;
  readonly tasks: TaskUseCases;
  readonly projects: ProjectUseCases;
  readonly as: (userId: string) => RequestContext;
  /** Owner of `projectId`. */
  readonly owner: string;
  /** Editor of `projectId`. */
  readonly editor: string;
  /** Viewer of `projectId`. */
  readonly viewer: string;
  /** Member of no project. */
  readonly outsider: string;
  readonly projectId: string;
}

const UNKNOWN = '0190a5f2-7c3e-7abc-8def-00000000dead';

async function setUp(): Promise<World> {
  const ports = inMemoryPorts();
  const users = new UserUseCases(ports.users, ports.clock, ports.ids);
  const projects = new ProjectUseCases(ports.projects, ports.users, ports.clock, ports.ids);
  const as = (userId: string): RequestContext => ({
    actorId: userId,
    correlationId: `req-${userId.slice(-2)}`,
  });
  const register = async (name: string): Promise<string> =>
    (
      await users.register(
        { name, email: `${name}@example.com` },
        { actorId: UNKNOWN, correlationId: null },
      )
    ).id;
  const owner = await register('owner');
  const editor = await register('editor');
  const viewer = await register('viewer');
  const outsider = await register('outsider');
  const { id: projectId } = await projects.create({ name: 'Apollo' }, as(owner));
  const members: [string, ProjectRole][] = [
    [editor, 'editor'],
    [viewer, 'viewer'],
  ];
  for (const [userId, role] of members)
    await projects.addMember({ projectId, userId, role }, as(owner));
  return {
    ports,
    tasks: new TaskUseCases(ports.tasks, ports.comments, ports.projects, ports.clock, ports.ids),
    projects,
    as,
    owner,
    editor,
    viewer,
    outsider,
    projectId,
  };
}

/** A task of the world's project, created by its editor one second after the previous step. */
async function aTask(w: World, input: Partial<CreateTaskInput> = {}): Promise<string> {
  w.ports.clock.advance(1_000);
  return (
    await w.tasks.create(
      { projectId: w.projectId, title: 'Write the report', ...input },
      w.as(w.editor),
    )
  ).id;
}

const everything: ListTasksInput = NO_TASK_FILTERS;

describe('TaskUseCases.create', () => {
  it('stores the task with its events and the audit of its creation', async () => {
    // Prepare
    const w = await setUp();

    // Act
    const task = await w.tasks.create(
      { projectId: w.projectId, title: ' Write ', assigneeId: w.viewer, labels: ['a', ' a '] },
      w.as(w.editor),
    );

    // Assess
    expect(task).toMatchObject({
      title: 'Write',
      assigneeId: w.viewer,
      labels: ['a'],
      version: 1,
      createdBy: w.editor,
    });
    expect(await w.tasks.get(task.id, w.as(w.viewer))).toEqual(task);
    expect(w.ports.tasks.storedEvents).toMatchObject([
      {
        type: 'task.created',
        aggregateId: task.id,
        correlationId: w.as(w.editor).correlationId,
        data: { task },
      },
      { type: 'task.assigned', data: { from: null, to: w.viewer } },
    ]);
    expect(
      (await w.tasks.history(task.id, w.as(w.owner))).map((e) => [e.version, e.action]),
    ).toEqual([[1, 'created']]);
  });

  it('lets the creator assign themselves', async () => {
    // Prepare
    const w = await setUp();

    // Act
    const task = await w.tasks.create(
      { projectId: w.projectId, title: 'Mine', assigneeId: w.owner },
      w.as(w.owner),
    );

    // Assess
    expect(task.assigneeId).toBe(w.owner);
  });

  it.each([
    { case: 'a project that does not exist', project: 'unknown' as const, actor: 'owner' as const },
    {
      case: 'a project the actor is not a member of',
      project: 'real' as const,
      actor: 'outsider' as const,
    },
  ])('answers 404 PROJECT_NOT_FOUND for $case', async ({ project, actor }) => {
    // Prepare
    const w = await setUp();

    // Act
    const outcome = w.tasks.create(
      { projectId: project === 'unknown' ? UNKNOWN : w.projectId, title: 'Lost' },
      w.as(actor === 'owner' ? w.owner : w.outsider),
    );

    // Assess
    await expectRejection(outcome, NotFoundError, 'PROJECT_NOT_FOUND');
    expect(w.ports.tasks.storedEvents).toEqual([]);
  });

  it('refuses a viewer (403 ROLE_FORBIDDEN)', async () => {
    // Prepare
    const w = await setUp();

    // Act
    const outcome = w.tasks.create({ projectId: w.projectId, title: 'Nope' }, w.as(w.viewer));

    // Assess
    await expectRejection(outcome, ForbiddenError, 'ROLE_FORBIDDEN');
  });

  it.each([
    { case: 'a registered user outside the project', assignee: 'outsider' as const },
    { case: 'an id nobody has', assignee: 'unknown' as const },
  ])('refuses to assign $case (ASSIGNEE_NOT_MEMBER on assigneeId)', async ({ assignee }) => {
    // Prepare
    const w = await setUp();

    // Act
    const outcome = w.tasks.create(
      {
        projectId: w.projectId,
        title: 'Task',
        assigneeId: assignee === 'outsider' ? w.outsider : UNKNOWN,
      },
      w.as(w.owner),
    );

    // Assess
    await expectRejection(outcome, ValidationError, 'ASSIGNEE_NOT_MEMBER', {
      issues: [{ path: 'assigneeId' }],
    });
  });
});

describe('TaskUseCases.get', () => {
  it('answers a non-member exactly as for a task that does not exist (404 TASK_NOT_FOUND)', async () => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);

    // Act
    const hidden = w.tasks.get(taskId, w.as(w.outsider));
    const missing = w.tasks.get(UNKNOWN, w.as(w.outsider));

    // Assess
    await expectRejection(hidden, NotFoundError, 'TASK_NOT_FOUND');
    await expect(missing).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
  });

  it('hides the task from a member who has since been removed', async () => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);
    await w.projects.removeMember({ projectId: w.projectId, userId: w.viewer }, w.as(w.owner));

    // Act
    const outcome = w.tasks.get(taskId, w.as(w.viewer));

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
  });
});

describe('TaskUseCases.memberLeaving (as the policy of a member removal)', () => {
  /** The world's project use cases, with task assignments following membership. */
  const withPolicy = (w: World): ProjectUseCases =>
    new ProjectUseCases(w.ports.projects, w.ports.users, w.ports.clock, w.ports.ids, {
      transactions: { run: (work) => work() },
      departures: {
        memberLeaving: (projectId, userId, context) =>
          w.tasks.memberLeaving(projectId, userId, context),
      },
    });

  it('unassigns the removed member from each of their tasks, audited and announced', async () => {
    // Prepare
    const w = await setUp();
    const mine = [
      await aTask(w, { assigneeId: w.viewer }),
      await aTask(w, { assigneeId: w.viewer, status: 'completed' }),
    ];
    const others = await aTask(w, { assigneeId: w.editor });
    const unassigned = await aTask(w);
    const eventsBefore = w.ports.outbox.envelopes.length;

    // Act
    await withPolicy(w).removeMember({ projectId: w.projectId, userId: w.viewer }, w.as(w.owner));

    // Assess
    for (const taskId of mine) {
      const task = await w.tasks.get(taskId, w.as(w.owner));
      expect(task).toMatchObject({ assigneeId: null, version: 2 });
      const history = await w.tasks.history(taskId, w.as(w.owner));
      expect(history.at(-1)).toMatchObject({ version: 2, actorId: w.owner });
    }
    expect((await w.tasks.get(others, w.as(w.owner))).assigneeId).toBe(w.editor);
    expect((await w.tasks.get(unassigned, w.as(w.owner))).version).toBe(1);
    const raised = w.ports.outbox.envelopes.slice(eventsBefore).map((e) => e.type);
    // The removal first, then what follows from it.
    expect(raised).toEqual([
      'project.member_removed',
      'task.updated',
      'task.assigned',
      'task.updated',
      'task.assigned',
    ]);
  });

  it('releases every task, however many pages they fill', async () => {
    // Prepare
    const w = await setUp();
    for (let i = 0; i < 230; i += 1) await aTask(w, { assigneeId: w.editor });

    // Act
    await withPolicy(w).removeMember({ projectId: w.projectId, userId: w.editor }, w.as(w.owner));

    // Assess
    const still = await w.tasks.list(
      { ...everything, projectId: w.projectId, assigneeId: w.editor, limit: 100 },
      w.as(w.owner),
    );
    expect(still.items).toEqual([]);
    const all = await w.tasks.list(
      { ...everything, projectId: w.projectId, limit: 100 },
      w.as(w.owner),
    );
    expect(all.items.every((t) => t.assigneeId === null)).toBe(true);
  });

  it('lets an owner remove themself, and releases their tasks too', async () => {
    // Prepare
    const w = await setUp();
    await w.projects.addMember(
      { projectId: w.projectId, userId: w.outsider, role: 'owner' },
      w.as(w.owner),
    );
    const taskId = await aTask(w, { assigneeId: w.owner });

    // Act
    await withPolicy(w).removeMember({ projectId: w.projectId, userId: w.owner }, w.as(w.owner));

    // Assess
    expect((await w.tasks.get(taskId, w.as(w.editor))).assigneeId).toBeNull();
  });

  it('refuses to assign someone who has left by the time the write is stored', async () => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);
    // The removal commits between the assignment's membership check and its write.
    w.ports.tasks.interleave(async () => {
      await withPolicy(w).removeMember({ projectId: w.projectId, userId: w.viewer }, w.as(w.owner));
    });

    // Act
    const outcome = w.tasks.update(taskId, { assigneeId: w.viewer }, null, w.as(w.editor));

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: 'ASSIGNEE_NOT_MEMBER' });
    expect((await w.tasks.get(taskId, w.as(w.owner))).assigneeId).toBeNull();
  });

  it('changes no task when the removal is refused', async () => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w, { assigneeId: w.viewer });
    const eventsBefore = w.ports.outbox.envelopes.length;

    // Act
    const outcome = withPolicy(w).removeMember(
      { projectId: w.projectId, userId: w.viewer },
      w.as(w.editor),
    );

    // Assess
    await expect(outcome).rejects.toThrow(ForbiddenError);
    expect((await w.tasks.get(taskId, w.as(w.owner))).assigneeId).toBe(w.viewer);
    expect(w.ports.outbox.envelopes).toHaveLength(eventsBefore);
  });
});

describe('TaskUseCases.memberLeaving, a bounded number of changes per transaction (Aurora DSQL)', () => {
  /** The world's project use cases, releasing at most `limit` tasks per transaction of `runner`. */
  const batched = (w: World, runner: CountingTransactionRunner, limit: number): ProjectUseCases =>
    new ProjectUseCases(w.ports.projects, w.ports.users, w.ports.clock, w.ports.ids, {
      transactions: runner,
      departures: {
        memberLeaving: (projectId, userId, context, max) =>
          w.tasks.memberLeaving(projectId, userId, context, max),
      },
      changesPerTransaction: limit,
    });
  /** Counts the unassignments stored (each stores one task.assigned). */
  const releases = (w: World) => () => w.ports.tasks.storedEventsOf('task.assigned').length;
  const assignedTo = (w: World, userId: string) =>
    w.ports.tasks.list({
      ...everything,
      projectId: w.projectId,
      assigneeId: userId,
      memberId: w.owner,
      limit: 100,
    });

  it('releases every task, at most the limit per transaction, the first with the removal itself', async () => {
    // Prepare
    const w = await setUp();
    const mine: string[] = [];
    for (let i = 0; i < 7; i += 1) mine.push(await aTask(w, { assigneeId: w.editor }));
    const runner = new CountingTransactionRunner(releases(w));
    const removedBefore = w.ports.projects.storedEventsOf('project.member_removed').length;

    // Act
    await batched(w, runner, 3).removeMember(
      { projectId: w.projectId, userId: w.editor },
      w.as(w.owner),
    );

    // Assess
    expect(runner.transactions).toEqual([3, 3, 1]);
    expect((await assignedTo(w, w.editor)).items).toEqual([]);
    for (const taskId of mine) {
      const history = await w.tasks.history(taskId, w.as(w.owner));
      expect(history.at(-1)).toMatchObject({ version: 2, actorId: w.owner });
    }
    expect(w.ports.projects.storedEventsOf('project.member_removed')).toHaveLength(
      removedBefore + 1,
    );
  });

  it('keeps the removal and its releases in one transaction when they fit', async () => {
    // Prepare
    const w = await setUp();
    for (let i = 0; i < 3; i += 1) await aTask(w, { assigneeId: w.editor });
    const runner = new CountingTransactionRunner(releases(w));

    // Act
    await batched(w, runner, 3).removeMember(
      { projectId: w.projectId, userId: w.editor },
      w.as(w.owner),
    );

    // Assess
    expect(runner.transactions).toEqual([3]);
  });

  it('interrupted between transactions, the member is out and cannot be assigned; removing again finishes', async () => {
    // Prepare
    const w = await setUp();
    for (let i = 0; i < 7; i += 1) await aTask(w, { assigneeId: w.editor });
    const spare = await aTask(w);
    const runner = new CountingTransactionRunner(releases(w));
    const projects = batched(w, runner, 3);
    runner.interruptBefore(2);

    // Act
    const interrupted = projects.removeMember(
      { projectId: w.projectId, userId: w.editor },
      w.as(w.owner),
    );
    await expect(interrupted).rejects.toThrow('the process stopped');
    const left = (await assignedTo(w, w.editor)).items.length;
    const assigning = w.tasks.update(spare, { assigneeId: w.editor }, null, w.as(w.owner));
    await expect(assigning).rejects.toMatchObject({ code: 'ASSIGNEE_NOT_MEMBER' });
    const again = await projects.removeMember(
      { projectId: w.projectId, userId: w.editor },
      w.as(w.owner),
    );

    // Assess
    expect(left).toBe(4);
    expect(again.members.map((m) => m.userId)).not.toContain(w.editor);
    expect((await assignedTo(w, w.editor)).items).toEqual([]);
    // The removal with 3 releases; then the retry: finding the member gone, then the rest.
    expect(runner.transactions).toEqual([3, 0, 3, 1]);
    const once = projects.removeMember({ projectId: w.projectId, userId: w.editor }, w.as(w.owner));
    await expect(once).rejects.toMatchObject({ code: 'MEMBER_NOT_FOUND' });
    expect(runner.transactions.slice(4)).toEqual([0, 0]);
    expect(w.ports.projects.storedEventsOf('project.member_removed')).toHaveLength(1);
  });

  it('tells a non-owner OWNER_REQUIRED for a former member, releasing nothing', async () => {
    // Prepare
    const w = await setUp();
    await aTask(w, { assigneeId: w.viewer });
    const runner = new CountingTransactionRunner(releases(w));
    const projects = batched(w, runner, 3);
    await projects.removeMember({ projectId: w.projectId, userId: w.viewer }, w.as(w.owner));

    // Act
    const outcome = projects.removeMember(
      { projectId: w.projectId, userId: w.viewer },
      w.as(w.editor),
    );

    // Assess
    await expect(outcome).rejects.toThrow(ForbiddenError);
    expect(runner.transactions).toEqual([1, 0]);
  });
});

describe('TaskUseCases.update', () => {
  it('applies the patch and stores task.updated with exactly the changed fields', async () => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);

    // Act
    const task = await w.tasks.update(
      taskId,
      { title: 'Write the report', priority: 'high' },
      null,
      w.as(w.owner),
    );

    // Assess
    expect(task).toMatchObject({ priority: 'high', version: 2 });
    expect(await w.tasks.get(taskId, w.as(w.viewer))).toEqual(task);
    expect(w.ports.tasks.storedEventsOf('task.updated')).toMatchObject([
      {
        aggregateVersion: 2,
        actor: w.owner,
        data: { changes: { priority: { oldValue: 'medium', newValue: 'high' } }, task },
      },
    ]);
    expect(
      Object.keys(
        w.ports.tasks.storedEventsOf<typeof taskUpdated>('task.updated')[0]?.data.changes ?? {},
      ),
    ).toEqual(['priority']);
  });

  it('assigns to another member (the assignee is looked up with the actor)', async () => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);

    // Act
    const task = await w.tasks.update(taskId, { assigneeId: w.viewer }, null, w.as(w.editor));

    // Assess
    expect(task.assigneeId).toBe(w.viewer);
    expect(w.ports.tasks.storedEventsOf('task.assigned')).toMatchObject([
      { data: { from: null, to: w.viewer } },
    ]);
  });

  it('refuses to assign a user outside the project (ASSIGNEE_NOT_MEMBER on assigneeId)', async () => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);

    // Act
    const outcome = w.tasks.update(taskId, { assigneeId: w.outsider }, null, w.as(w.editor));

    // Assess
    await expect(outcome).rejects.toMatchObject({
      code: 'ASSIGNEE_NOT_MEMBER',
      issues: [{ path: 'assigneeId' }],
    });
    expect(w.ports.tasks.storedSnapshotOf(taskId)?.version).toBe(1);
  });

  it('stores nothing for a patch that changes nothing', async () => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);
    const eventsBefore = w.ports.tasks.storedEvents.length;

    // Act
    const task = await w.tasks.update(
      taskId,
      { title: ' Write the report ' },
      null,
      w.as(w.editor),
    );

    // Assess
    expect(task.version).toBe(1);
    expect(w.ports.tasks.storedEvents).toHaveLength(eventsBefore);
  });

  it.each([
    { who: 'a viewer', actor: 'viewer' as const, type: ForbiddenError, code: 'ROLE_FORBIDDEN' },
    {
      who: 'a non-member',
      actor: 'outsider' as const,
      type: NotFoundError,
      code: 'TASK_NOT_FOUND',
    },
  ])('refuses $who ($code)', async ({ actor, type, code }) => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);

    // Act
    const outcome = w.tasks.update(
      taskId,
      { title: 'Mine' },
      null,
      w.as(actor === 'viewer' ? w.viewer : w.outsider),
    );

    // Assess
    await expect(outcome).rejects.toThrow(type);
    await expect(outcome).rejects.toMatchObject({ code });
    expect(w.ports.tasks.storedSnapshotOf(taskId)?.title).toBe('Write the report');
  });

  it("retries without expectedVersion after losing a race, keeping the other writer's change", async () => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);
    w.ports.tasks.interleave(async () => {
      await w.tasks.update(taskId, { priority: 'urgent' }, null, w.as(w.owner));
    });

    // Act
    const task = await w.tasks.update(
      taskId,
      { title: 'Write the annual report' },
      null,
      w.as(w.editor),
    );

    // Assess
    expect(w.ports.tasks.staleSaves).toBe(1);
    expect(task).toMatchObject({
      title: 'Write the annual report',
      priority: 'urgent',
      version: 3,
    });
    expect(await w.tasks.get(taskId, w.as(w.editor))).toEqual(task);
    const history = await w.tasks.history(taskId, w.as(w.viewer));
    expect(history.map((e) => [e.version, e.actorId, Object.keys(e.changes)])).toEqual([
      // The creation audits every field a task has but deletedAt, in the vocabulary's order.
      [1, w.editor, TASK_MUTABLE_FIELDS.filter((field) => field !== 'deletedAt')],
      [2, w.owner, ['priority']],
      [3, w.editor, ['title']],
    ]);
  });

  it('retries without expectedVersion after a concurrent writer merely bumped the version', async () => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);
    w.ports.tasks.bumpVersionBeforeNextSave(taskId);

    // Act
    const task = await w.tasks.update(taskId, { status: 'in_progress' }, null, w.as(w.editor));

    // Assess
    expect(w.ports.tasks.staleSaves).toBe(1);
    expect(task).toMatchObject({ status: 'in_progress', version: 3 });
  });

  it('applies the patch when expectedVersion is the current version', async () => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);

    // Act
    const task = await w.tasks.update(taskId, { status: 'completed' }, 1, w.as(w.editor));

    // Assess
    expect(task).toMatchObject({
      status: 'completed',
      completedAt: w.ports.clock.now().toISOString(),
      version: 2,
    });
    expect(w.ports.tasks.storedEvents.map((e) => e.type).slice(-3)).toEqual([
      'task.updated',
      'task.status_changed',
      'task.completed',
    ]);
  });

  it('refuses a stale expectedVersion with StaleVersionError and stores nothing', async () => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);
    await w.tasks.update(taskId, { priority: 'low' }, null, w.as(w.owner));
    const stored = w.ports.tasks.storedSnapshotOf(taskId);
    const eventsBefore = w.ports.tasks.storedEvents.length;

    // Act
    const outcome = w.tasks.update(taskId, { title: 'Too late' }, 1, w.as(w.editor));

    // Assess
    await expectRejection(outcome, StaleVersionError, 'STALE_VERSION', {
      expectedVersion: 1,
      actualVersion: 2,
    });
    expect(w.ports.tasks.storedSnapshotOf(taskId)).toEqual(stored);
    expect(w.ports.tasks.storedEvents).toHaveLength(eventsBefore);
  });

  it('does not retry with expectedVersion when a concurrent writer wins between read and write', async () => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);
    w.ports.tasks.interleave(async () => {
      await w.tasks.update(taskId, { priority: 'urgent' }, null, w.as(w.owner));
    });

    // Act
    const outcome = w.tasks.update(taskId, { title: 'Mine' }, 1, w.as(w.editor));

    // Assess
    await expect(outcome).rejects.toThrow(StaleVersionError);
    expect(w.ports.tasks.staleSaves).toBe(1);
    expect(w.ports.tasks.storedSnapshotOf(taskId)).toMatchObject({
      title: 'Write the report',
      priority: 'urgent',
      version: 2,
    });
    expect(w.ports.tasks.storedEventsOf('task.updated')).toHaveLength(1);
  });
});

describe('TaskUseCases.delete', () => {
  it('hides the task but keeps its history readable', async () => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);
    await w.tasks.update(taskId, { priority: 'high' }, null, w.as(w.editor));

    // Act
    await w.tasks.delete(taskId, null, w.as(w.owner));

    // Assess
    await expect(w.tasks.get(taskId, w.as(w.owner))).rejects.toMatchObject({
      code: 'TASK_NOT_FOUND',
    });
    const history = await w.tasks.history(taskId, w.as(w.viewer));
    expect(history.map((e) => [e.version, e.action])).toEqual([
      [1, 'created'],
      [2, 'updated'],
      [3, 'deleted'],
    ]);
    expect(w.ports.tasks.storedEventsOf('task.deleted')).toMatchObject([
      { aggregateVersion: 3, actor: w.owner },
    ]);
  });

  it.each<{ action: string; act: (w: World, taskId: string) => Promise<unknown> }>([
    {
      action: 'an update',
      act: (w, taskId) => w.tasks.update(taskId, { title: 'Again' }, null, w.as(w.owner)),
    },
    { action: 'a second delete', act: (w, taskId) => w.tasks.delete(taskId, null, w.as(w.owner)) },
    { action: 'a comment', act: (w, taskId) => w.tasks.comment(taskId, 'Hello?', w.as(w.owner)) },
    {
      action: 'listing its comments',
      act: (w, taskId) => w.tasks.listComments(taskId, 10, null, w.as(w.owner)),
    },
  ])('then answers $action with 404 TASK_NOT_FOUND', async ({ act }) => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);
    await w.tasks.delete(taskId, null, w.as(w.editor));
    const eventsBefore = w.ports.outbox.envelopes.length;

    // Act
    const outcome = act(w, taskId);

    // Assess
    await expectRejection(outcome, NotFoundError, 'TASK_NOT_FOUND');
    expect(w.ports.outbox.envelopes).toHaveLength(eventsBefore);
  });

  it('refuses a viewer (403 ROLE_FORBIDDEN)', async () => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);

    // Act
    const outcome = w.tasks.delete(taskId, null, w.as(w.viewer));

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: 'ROLE_FORBIDDEN' });
    expect(w.ports.tasks.storedSnapshotOf(taskId)?.deletedAt).toBeNull();
  });

  it("retries without expectedVersion after losing a race, keeping the other writer's change", async () => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);
    w.ports.tasks.interleave(async () => {
      await w.tasks.update(taskId, { title: 'Renamed meanwhile' }, null, w.as(w.owner));
    });

    // Act
    await w.tasks.delete(taskId, null, w.as(w.editor));

    // Assess
    expect(w.ports.tasks.staleSaves).toBe(1);
    expect(w.ports.tasks.storedSnapshotOf(taskId)).toMatchObject({
      title: 'Renamed meanwhile',
      version: 3,
    });
    expect(w.ports.tasks.storedSnapshotOf(taskId)?.deletedAt).not.toBeNull();
  });

  it('refuses a stale expectedVersion and keeps the task', async () => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);
    await w.tasks.update(taskId, { priority: 'low' }, null, w.as(w.owner));

    // Act
    const outcome = w.tasks.delete(taskId, 1, w.as(w.editor));

    // Assess
    await expect(outcome).rejects.toThrow(StaleVersionError);
    expect(w.ports.tasks.storedSnapshotOf(taskId)).toMatchObject({ deletedAt: null, version: 2 });
  });
});

describe('TaskUseCases.history', () => {
  it('answers a non-member with 404 TASK_NOT_FOUND', async () => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);

    // Act
    const outcome = w.tasks.history(taskId, w.as(w.outsider));

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
  });
});

describe('TaskUseCases.comment', () => {
  it('stores the trimmed comment and comment.added', async () => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);

    // Act
    const comment = await w.tasks.comment(taskId, '  Looks good \n', w.as(w.owner));

    // Assess
    expect(comment).toMatchObject({
      taskId,
      projectId: w.projectId,
      authorId: w.owner,
      body: 'Looks good',
    });
    expect(w.ports.comments.storedEvents).toMatchObject([
      {
        type: 'comment.added',
        projectId: w.projectId,
        correlationId: w.as(w.owner).correlationId,
        data: { commentId: comment.id },
      },
    ]);
  });

  it.each([
    { who: 'a viewer', actor: 'viewer' as const, code: 'ROLE_FORBIDDEN' },
    { who: 'a non-member', actor: 'outsider' as const, code: 'TASK_NOT_FOUND' },
  ])('refuses $who ($code)', async ({ actor, code }) => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);

    // Act
    const outcome = w.tasks.comment(taskId, 'Hi', w.as(actor === 'viewer' ? w.viewer : w.outsider));

    // Assess
    await expect(outcome).rejects.toMatchObject({ code });
    expect(w.ports.comments.size).toBe(0);
  });

  it('pages through the comments of a task, oldest first', async () => {
    // Prepare
    const w = await setUp();
    const taskId = await aTask(w);
    const other = await aTask(w);
    const bodies = ['one', 'two', 'three'];
    for (const body of bodies) await w.tasks.comment(taskId, body, w.as(w.editor));
    await w.tasks.comment(other, 'elsewhere', w.as(w.editor));

    // Act
    const first = await w.tasks.listComments(taskId, 2, null, w.as(w.viewer));
    const second = await w.tasks.listComments(taskId, 2, first.nextCursor, w.as(w.viewer));

    // Assess
    expect([...first.items, ...second.items].map((c) => c.body)).toEqual(bodies);
    expect(second.nextCursor).toBeNull();
  });
});

describe('TaskUseCases.list', () => {
  it("lists live tasks of the actor's projects only, newest first, page by page", async () => {
    // Prepare
    const w = await setUp();
    const ids = [await aTask(w), await aTask(w), await aTask(w), await aTask(w)];
    await w.tasks.delete(ids[1] ?? UNKNOWN, null, w.as(w.owner));
    const { id: elsewhere } = await w.projects.create({ name: 'Elsewhere' }, w.as(w.outsider));
    await w.tasks.create({ projectId: elsewhere, title: 'Not yours' }, w.as(w.outsider));

    // Act
    const first = await w.tasks.list({ ...everything, limit: 2 }, w.as(w.viewer));
    const second = await w.tasks.list(
      { ...everything, limit: 2, cursor: first.nextCursor },
      w.as(w.viewer),
    );

    // Assess
    expect([...first.items, ...second.items].map((t) => t.id)).toEqual([ids[3], ids[2], ids[0]]);
    expect(second.nextCursor).toBeNull();
  });

  it('takes the member from the context, not from the input', async () => {
    // Prepare
    const w = await setUp();
    await aTask(w);
    const smuggled = { ...everything, memberId: w.owner } as ListTasksInput;

    // Act
    const page = await w.tasks.list(smuggled, w.as(w.outsider));

    // Assess
    expect(page.items).toEqual([]);
  });

  it.each<{ filter: string; input: Partial<ListTasksInput>; expected: string[] }>([
    { filter: 'status', input: { status: 'blocked' }, expected: ['blocked'] },
    { filter: 'priority', input: { priority: 'urgent' }, expected: ['urgent'] },
    { filter: 'label', input: { label: 'ui' }, expected: ['urgent', 'labelled'] },
    { filter: 'q in the title, any case', input: { q: 'LABEL' }, expected: ['labelled'] },
    { filter: 'q in the description', input: { q: 'needle' }, expected: ['described'] },
    {
      filter: 'q with LIKE wildcards taken literally',
      input: { q: '100%' },
      expected: ['described'],
    },
    {
      filter: 'dueBefore (strictly)',
      input: { dueBefore: '2025-03-01T00:00:00Z' },
      expected: ['due-february'],
    },
    {
      filter: 'dueAfter (strictly)',
      input: { dueAfter: '2025-03-01T00:00:00Z' },
      expected: ['due-april'],
    },
    {
      filter: 'dueBefore and dueAfter',
      input: { dueAfter: '2025-01-01T00:00:00Z', dueBefore: '2025-12-31T00:00:00Z' },
      expected: ['due-april', 'due-march', 'due-february'],
    },
    {
      filter: 'several filters at once',
      input: { label: 'ui', priority: 'urgent' },
      expected: ['urgent'],
    },
  ])('passes the $filter filter through', async ({ input, expected }) => {
    // Prepare
    const w = await setUp();
    await aTask(w, { title: 'blocked', status: 'blocked' });
    await aTask(w, { title: 'labelled', labels: ['ui', 'backend'] });
    await aTask(w, { title: 'urgent', priority: 'urgent', labels: ['ui'] });
    await aTask(w, { title: 'described', description: 'a needle at 100% in the haystack' });
    await aTask(w, { title: 'due-february', dueDate: '2025-02-01T00:00:00Z' });
    await aTask(w, { title: 'due-march', dueDate: '2025-03-01T00:00:00Z' });
    await aTask(w, { title: 'due-april', dueDate: '2025-04-01T00:00:00Z' });

    // Act
    const page = await w.tasks.list({ ...everything, ...input }, w.as(w.viewer));

    // Assess
    expect(page.items.map((t) => t.title)).toEqual(expected);
  });

  it.each([
    { path: 'dueBefore', input: { dueBefore: '0000-01-01T00:00:00Z' } },
    { path: 'dueAfter', input: { dueAfter: '9999-12-31T23:59:59-23:59' } },
  ])(
    'refuses a $path no due date could have, before the store is asked',
    async ({ path, input }) => {
      // Prepare
      const w = await setUp();

      // Act
      const outcome = w.tasks.list({ ...everything, ...input }, w.as(w.viewer));

      // Assess
      await expect(outcome).rejects.toMatchObject({
        code: 'INVALID_FIELD',
        issues: [{ path, message: TASK_INSTANT_RULE }],
      });
    },
  );

  it('passes the projectId and assigneeId filters through', async () => {
    // Prepare
    const w = await setUp();
    const { id: second } = await w.projects.create({ name: 'Second' }, w.as(w.editor));
    await aTask(w, { title: 'first, assigned', assigneeId: w.viewer });
    await aTask(w, { title: 'first, unassigned' });
    w.ports.clock.advance(1_000);
    await w.tasks.create(
      { projectId: second, title: 'second, assigned', assigneeId: w.editor },
      w.as(w.editor),
    );

    // Act
    const inSecond = await w.tasks.list({ ...everything, projectId: second }, w.as(w.editor));
    const forViewer = await w.tasks.list({ ...everything, assigneeId: w.viewer }, w.as(w.editor));
    const notMine = await w.tasks.list({ ...everything, projectId: second }, w.as(w.viewer));

    // Assess
    expect(inSecond.items.map((t) => t.title)).toEqual(['second, assigned']);
    expect(forViewer.items.map((t) => t.title)).toEqual(['first, assigned']);
    expect(notMine.items).toEqual([]);
  });

  it('refuses a cursor it did not issue (INVALID_CURSOR on cursor)', async () => {
    // Prepare
    const w = await setUp();

    // Act
    const outcome = w.tasks.list({ ...everything, cursor: 'garbage' }, w.as(w.owner));

    // Assess
    await expectRejection(outcome, ValidationError, 'INVALID_CURSOR', {
      issues: [{ path: 'cursor' }],
    });
  });
});
