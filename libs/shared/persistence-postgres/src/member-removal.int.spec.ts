import { type MemberDepartures, ProjectUseCases } from '@taskflow/projects-application';
import { systemClock, uuidV7Generator } from '@taskflow/shared-kernel';
import { type TestDatabase, createTestDatabase } from '@taskflow/testing';
import type { Persistence } from './persistence';
import {
  type UseCases,
  as,
  auditOf,
  openMigrated,
  outboxOf,
  ownerWithProject,
  registerUser,
  useCasesOver,
} from './testing/persistence-fixture';

describe('removing a member, with their task assignments, in one transaction', () => {
  let database: TestDatabase;
  let store: Persistence;
  let app: UseCases;

  beforeAll(async () => {
    database = await createTestDatabase('pp_member_removal');
    store = await openMigrated(database.url);
    app = useCasesOver(store);
  });

  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  /** A project with a member holding `count` tasks; the owner is the actor. */
  async function memberWithTasks(count: number) {
    const { ownerId, projectId } = await ownerWithProject(app);
    const memberId = await registerUser(app, 'Leaving');
    await app.projects.addMember({ projectId, userId: memberId, role: 'editor' }, as(ownerId));
    const taskIds: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const task = await app.tasks.create(
        { projectId, title: `task ${String(i)}`, assigneeId: memberId },
        as(ownerId),
      );
      taskIds.push(task.id);
    }
    return { ownerId, projectId, memberId, taskIds };
  }

  /** Project use cases wired as the composition wires them, around `memberLeaving`. */
  const removal = (memberLeaving: MemberDepartures['memberLeaving']) =>
    new ProjectUseCases(store.projects, store.users, systemClock, uuidV7Generator, {
      transactions: store.db,
      departures: { memberLeaving },
    });

  it('stores each unassignment with its audit row and events, and the removal', async () => {
    // Prepare
    const { ownerId, projectId, memberId, taskIds } = await memberWithTasks(3);
    const projects = removal((...args) => app.tasks.memberLeaving(...args));

    // Act
    await projects.removeMember({ projectId, userId: memberId }, as(ownerId));

    // Assess
    for (const taskId of taskIds) {
      expect((await store.tasks.findById(taskId))?.snapshot()).toMatchObject({
        assigneeId: null,
        version: 2,
      });
      expect((await auditOf(store.db, taskId)).at(-1)).toMatchObject({
        version: 2,
        field: 'assigneeId',
        new_value: 'null',
        actor_id: ownerId,
      });
      expect((await outboxOf(store.db, taskId)).map((row) => row.type)).toEqual([
        'task.created',
        'task.assigned',
        'task.updated',
        'task.assigned',
      ]);
    }
    expect((await store.projects.findById(projectId))?.access().isMember(memberId)).toBe(false);
  });

  it('keeps every assignment when the removal fails after them: nothing half-done', async () => {
    // Prepare
    const { ownerId, projectId, memberId, taskIds } = await memberWithTasks(2);
    const projects = removal(async (...args) => {
      await app.tasks.memberLeaving(...args);
      throw new Error('the connection dropped before the removal was stored');
    });

    // Act
    const outcome = projects.removeMember({ projectId, userId: memberId }, as(ownerId));

    // Assess
    await expect(outcome).rejects.toThrow('connection dropped');
    for (const taskId of taskIds) {
      expect((await store.tasks.findById(taskId))?.snapshot()).toMatchObject({
        assigneeId: memberId,
        version: 1,
      });
      expect(await auditOf(store.db, taskId)).toHaveLength(1);
      expect(await outboxOf(store.db, taskId)).toHaveLength(2);
    }
    expect((await store.projects.findById(projectId))?.access().isMember(memberId)).toBe(true);
  });
});
