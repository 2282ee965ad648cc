import type { TransactionRunner } from '@taskflow/platform-ports';
import { type MemberDepartures, ProjectUseCases } from '@taskflow/projects-application';
import type { ProjectRepository } from '@taskflow/projects-domain';
import { systemClock, uuidV7Generator } from '@taskflow/platform-kernel';
import {
  DSQL_MAX_ROWS_PER_TRANSACTION,
  type StatementLog,
  recordStatements,
} from '@taskflow/platform-postgres';
import { as, deferred, outboxOf } from '@taskflow/platform-postgres/testing';
import {
  memberWithTasks,
  ownerWithProject,
  registerUser,
  useTasksDatabase,
} from './testing/database.fixture';
import { DSQL_RELEASES_PER_TRANSACTION } from './pg-task.repository';

/**
 * A member's removal and the assignments it must release, on the dsql dialect's code paths: run
 * against PostgreSQL under snapshot isolation (REPEATABLE READ), where two transactions writing
 * one row end with one of them aborted with 40001, as on Aurora DSQL, and where nothing but a
 * write-write conflict stops two racing transactions (the shared row lock the postgres dialect
 * relies on is not taken on this path).
 */
describe('removing a member on the dsql dialect', () => {
  const { store, app } = useTasksDatabase('pp_member_removal_dsql', 'dsql');
  let log: StatementLog;

  beforeAll(() => {
    log = recordStatements(store.db);
  });

  beforeEach(() => {
    log.clear();
  });

  afterEach(() => {
    // Whatever a scenario did, it sent DSQL nothing it refuses.
    expect(log.violations()).toEqual([]);
    expect(log.oversized()).toEqual([]);
  });

  /** A project with a member who holds no task yet, and one unassigned task. */
  async function contestedTask() {
    const { ownerId, projectId } = await ownerWithProject(app);
    const memberId = await registerUser(app, 'Leaving');
    await app.projects.addMember({ projectId, userId: memberId, role: 'editor' }, as(ownerId));
    const task = await app.tasks.create({ projectId, title: 'contested' }, as(ownerId));
    return { ownerId, projectId, memberId, taskId: task.id };
  }

  /** Project use cases over `projects`, with the removal releasing assignments in its transaction. */
  const removal = (
    projects: ProjectRepository = store.projects,
    memberLeaving: MemberDepartures['memberLeaving'] = (...args) =>
      app.tasks.memberLeaving(...args),
  ) =>
    new ProjectUseCases(projects, store.users, systemClock, uuidV7Generator, {
      transactions: store.db,
      departures: { memberLeaving },
    });

  async function assigneeOf(taskId: string): Promise<string | null> {
    return (await store.tasks.findById(taskId))?.snapshot().assigneeId ?? null;
  }

  it('an assignment whose snapshot saw the member, committing after the removal, is refused', async () => {
    // Prepare: the removal has deleted the membership and released what it saw, not committed.
    const { ownerId, projectId, memberId, taskId } = await contestedTask();
    const removed = deferred<true>();
    const proceed = deferred<true>();
    const removing = removal(store.projects, async (...args) => {
      const progress = await app.tasks.memberLeaving(...args);
      removed.resolve(true);
      await proceed.promise;
      return progress;
    }).removeMember({ projectId, userId: memberId }, as(ownerId));
    await removed.promise;

    // Act: the assignment's reads still see the member; its write races the removal's commit.
    const assigning = app.tasks.update(taskId, { assigneeId: memberId }, null, as(ownerId));
    assigning.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    proceed.resolve(true);
    await removing;

    // Assess
    await expect(assigning).rejects.toMatchObject({ code: 'ASSIGNEE_NOT_MEMBER' });
    expect(await assigneeOf(taskId)).toBeNull();
    expect((await outboxOf(store.db, taskId)).map((row) => row.type)).toEqual(['task.created']);
  });

  it('an assignment committing inside the removal’s snapshot makes the removal run again and release it', async () => {
    // Prepare: the removal has read the project (its snapshot is taken) and waits before writing.
    const { ownerId, projectId, memberId, taskId } = await contestedTask();
    const loaded = deferred<true>();
    const proceed = deferred<true>();
    let saves = 0;
    const gated: ProjectRepository = {
      add: (project, context) => store.projects.add(project, context),
      findById: (id) => store.projects.findById(id),
      accessFor: (id, userIds) => store.projects.accessFor(id, userIds),
      listForMember: (userId, limit, cursor) => store.projects.listForMember(userId, limit, cursor),
      save: async (project, context) => {
        saves += 1;
        if (saves === 1) {
          loaded.resolve(true);
          await proceed.promise;
        }
        await store.projects.save(project, context);
      },
    };
    const removing = removal(gated).removeMember({ projectId, userId: memberId }, as(ownerId));
    await loaded.promise;

    // Act: the assignment commits after the removal's snapshot, before its writes.
    await app.tasks.update(taskId, { assigneeId: memberId }, null, as(ownerId));
    proceed.resolve(true);
    await removing;

    // Assess: the removal's first attempt aborted (40001) and its retry released the task.
    expect(saves).toBe(2);
    expect(await assigneeOf(taskId)).toBeNull();
    expect((await store.projects.findById(projectId))?.access().isMember(memberId)).toBe(false);
    expect((await outboxOf(store.db, taskId)).map((row) => row.type)).toEqual([
      'task.created',
      'task.updated',
      'task.assigned',
      'task.updated',
      'task.assigned',
    ]);
  });

  it('an assignment that never meets a removal still stores, with one membership write', async () => {
    // Prepare
    const { ownerId, memberId, taskId } = await contestedTask();

    // Act
    await app.tasks.update(taskId, { assigneeId: memberId }, null, as(ownerId));

    // Assess
    expect(await assigneeOf(taskId)).toBe(memberId);
    expect(
      log.statements.filter((text) =>
        text.includes('UPDATE project_members SET assignments = COALESCE(assignments, 0) + 1'),
      ),
    ).toHaveLength(1);
  });

  /** Project use cases wired as the composition wires them on this dialect. */
  const composed = (
    transactions: TransactionRunner = store.db,
    limit: number | null = DSQL_RELEASES_PER_TRANSACTION,
  ) =>
    new ProjectUseCases(store.projects, store.users, systemClock, uuidV7Generator, {
      transactions,
      departures: {
        memberLeaving: (projectId, userId, context, max) =>
          app.tasks.memberLeaving(projectId, userId, context, max),
      },
      ...(limit === null ? {} : { changesPerTransaction: limit }),
    });

  /** What the member's tasks look like now: still assigned to them, audited releases, events. */
  async function releasedState(memberId: string, taskIds: readonly string[]) {
    const { rows } = await store.db.query<{ assigned: number; audited: number; events: number }>({
      text: `SELECT (SELECT count(*) FROM tasks WHERE id = ANY($1::uuid[]) AND assignee_id = $2) AS assigned,
                    (SELECT count(*) FROM task_updates WHERE task_id = ANY($1::uuid[]) AND version = 2
                        AND field = 'assigneeId' AND new_value = 'null') AS audited,
                    (SELECT count(*) FROM outbox o JOIN outbox_pending p ON p.id = o.id
                      WHERE o.aggregate_id = ANY($1::uuid[]) AND o.aggregate_version = 2
                        AND o.type IN ('task.updated', 'task.assigned')) AS events`,
      values: [taskIds, memberId],
    });
    return rows[0];
  }

  it('releases more tasks than one DSQL transaction may change, in batches each within the limit', async () => {
    // Prepare: 520 releases change 3,120 rows: more than DSQL allows in one transaction.
    const tasks = 520;
    const { ownerId, projectId, memberId, taskIds } = await memberWithTasks(app, tasks, 'Busy');
    log.clear();

    // Act
    await composed().removeMember({ projectId, userId: memberId }, as(ownerId));

    // Assess
    expect(await releasedState(memberId, taskIds)).toEqual({
      assigned: 0,
      audited: tasks,
      events: 2 * tasks,
    });
    expect((await store.projects.findById(projectId))?.access().isMember(memberId)).toBe(false);
    const writing = log.transactions.filter((t) => (t.rowsChanged ?? 0) > 0);
    expect(writing).toHaveLength(Math.ceil(tasks / DSQL_RELEASES_PER_TRANSACTION));
    const changed = writing.reduce((sum, t) => sum + (t.rowsChanged ?? 0), 0);
    expect(changed).toBeGreaterThan(DSQL_MAX_ROWS_PER_TRANSACTION);
    expect(Math.max(...writing.map((t) => t.rowsChanged ?? 0))).toBeLessThanOrEqual(
      DSQL_MAX_ROWS_PER_TRANSACTION,
    );
  });

  it('interrupted after the membership went, refuses new assignments; removing again finishes the releases', async () => {
    // Prepare: 3 releases per transaction; the process stops before the second transaction.
    const { ownerId, projectId, memberId, taskIds } = await memberWithTasks(app, 8, 'Busy');
    const spare = await app.tasks.create({ projectId, title: 'spare' }, as(ownerId));
    let began = 0;
    const stopping: TransactionRunner = {
      run: (work) => {
        began += 1;
        return began === 2 ? Promise.reject(new Error('the process stopped')) : store.db.run(work);
      },
    };

    // Act
    const interrupted = composed(stopping, 3).removeMember(
      { projectId, userId: memberId },
      as(ownerId),
    );
    await expect(interrupted).rejects.toThrow('the process stopped');
    const halfway = await releasedState(memberId, taskIds);
    const assigning = app.tasks.update(spare.id, { assigneeId: memberId }, null, as(ownerId));
    await expect(assigning).rejects.toMatchObject({ code: 'ASSIGNEE_NOT_MEMBER' });
    const retried = await composed(store.db, 3).removeMember(
      { projectId, userId: memberId },
      as(ownerId),
    );

    // Assess
    expect(halfway).toEqual({ assigned: 5, audited: 3, events: 6 });
    expect(retried.members.map((m) => m.userId)).toEqual([ownerId]);
    expect(await releasedState(memberId, taskIds)).toEqual({ assigned: 0, audited: 8, events: 16 });
    await expect(
      composed(store.db, 3).removeMember({ projectId, userId: memberId }, as(ownerId)),
    ).rejects.toMatchObject({ code: 'MEMBER_NOT_FOUND' });
    expect(
      (await outboxOf(store.db, projectId)).filter((row) => row.type === 'project.member_removed'),
    ).toHaveLength(1);
  });
});
