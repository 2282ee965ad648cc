import { type MemberDepartures, ProjectUseCases } from '@taskflow/projects-application';
import type { ProjectRepository } from '@taskflow/projects-domain';
import { systemClock, uuidV7Generator } from '@taskflow/shared-kernel';
import { type TestDatabase, createTestDatabase } from '@taskflow/testing';
import type { Persistence } from './persistence';
import { type StatementLog, recordStatements } from './testing/dsql-rules';
import {
  type UseCases,
  as,
  deferred,
  openDsqlDialect,
  outboxOf,
  ownerWithProject,
  registerUser,
  useCasesOver,
} from './testing/persistence-fixture';

/**
 * A member's removal and the assignments it must release, on the dsql dialect's code paths: run
 * against PostgreSQL under snapshot isolation (REPEATABLE READ), where two transactions writing
 * one row end with one of them aborted with 40001, as on Aurora DSQL, and where nothing but a
 * write-write conflict stops two racing transactions (the shared row lock the postgres dialect
 * relies on is not taken on this path).
 */
describe('removing a member on the dsql dialect', () => {
  let database: TestDatabase;
  let store: Persistence;
  let app: UseCases;
  let log: StatementLog;

  beforeAll(async () => {
    database = await createTestDatabase('pp_member_removal_dsql');
    store = await openDsqlDialect(database.url);
    log = recordStatements(store.db);
    app = useCasesOver(store);
  });

  afterAll(async () => {
    await store.close();
    await database.drop();
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
});
