import { type MemberDepartures, ProjectUseCases } from '@taskflow/projects-application';
import { ProjectAccess } from '@taskflow/projects-domain';
import { systemClock, uuidV7Generator } from '@taskflow/platform-kernel';
import { Task } from '@taskflow/tasks-domain';
import { as, count, deferred, outboxOf, sleep } from '@taskflow/platform-postgres/testing';
import {
  auditOf,
  memberWithTasks,
  ownerWithProject,
  registerUser,
  useTasksDatabase,
} from './testing/database.fixture';

describe('removing a member, with their task assignments, in one transaction', () => {
  const { store, app } = useTasksDatabase('pp_member_removal');

  /** Project use cases wired as the composition wires them, around `memberLeaving`. */
  const removal = (memberLeaving: MemberDepartures['memberLeaving']) =>
    new ProjectUseCases(store.projects, store.users, systemClock, uuidV7Generator, {
      transactions: store.db,
      departures: { memberLeaving },
    });

  it('stores each unassignment with its audit row and events, and the removal', async () => {
    // Prepare
    const { ownerId, projectId, memberId, taskIds } = await memberWithTasks(app, 3, 'Leaving');
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
    const { ownerId, projectId, memberId, taskIds } = await memberWithTasks(app, 2, 'Leaving');
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

  it('an assignment racing the removal waits for it, then is refused: nobody is left assigned a non-member', async () => {
    // Prepare
    const { ownerId, projectId, memberId } = await memberWithTasks(app, 0, 'Leaving');
    const task = await app.tasks.create({ projectId, title: 'contested' }, as(ownerId));
    const removed = deferred<true>();
    const proceed = deferred<true>();
    const projects = removal(async (...args) => {
      const progress = await app.tasks.memberLeaving(...args);
      // Membership deleted and tasks released, nothing committed yet: the window in which an
      // unguarded assignment would commit unseen.
      removed.resolve(true);
      await proceed.promise;
      return progress;
    });
    const removing = projects.removeMember({ projectId, userId: memberId }, as(ownerId));
    await removed.promise;

    // Act: its membership check still sees the member (the removal has not committed).
    let settled = false;
    const assigning = app.tasks
      .update(task.id, { assigneeId: memberId }, null, as(ownerId))
      .finally(() => {
        settled = true;
      });
    assigning.catch(() => undefined);
    await sleep(300);
    const waitedForTheRemoval = !settled;
    proceed.resolve(true);
    await removing;

    // Assess
    expect(waitedForTheRemoval).toBe(true);
    await expect(assigning).rejects.toMatchObject({ code: 'ASSIGNEE_NOT_MEMBER' });
    expect((await store.tasks.findById(task.id))?.snapshot()).toMatchObject({
      assigneeId: null,
      version: 1,
    });
    expect(await outboxOf(store.db, task.id)).toHaveLength(1);
  });

  it('the store refuses a new task assigned to a non-member, whatever the caller checked, and stores nothing', async () => {
    // Prepare
    const { ownerId, projectId } = await ownerWithProject(app);
    const stranger = await registerUser(app, 'Stranger');
    const believed = ProjectAccess.of(
      projectId,
      new Map([
        [ownerId, 'owner'],
        [stranger, 'editor'],
      ] as const),
    );
    const task = Task.create({
      id: uuidV7Generator.next(),
      projectId,
      title: 'misassigned',
      fields: { assigneeId: stranger },
      actorId: ownerId,
      access: believed,
      now: new Date(),
    });

    // Act
    const outcome = store.tasks.add(task, as(ownerId));

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: 'ASSIGNEE_NOT_MEMBER' });
    expect(await count(store.db, 'SELECT count(*) FROM tasks WHERE id = $1', [task.id])).toBe(0);
    expect(await outboxOf(store.db, task.id)).toEqual([]);
  });

  it('lists a project’s live tasks assigned to someone, page by page, whoever asks', async () => {
    // Prepare
    const { ownerId, projectId, memberId, taskIds } = await memberWithTasks(app, 5, 'Leaving');
    await app.tasks.delete(taskIds[0] ?? '', null, as(ownerId));
    const other = await ownerWithProject(app, 'Elsewhere');
    await app.projects.addMember(
      { projectId: other.projectId, userId: memberId, role: 'editor' },
      as(other.ownerId),
    );
    await app.tasks.create(
      { projectId: other.projectId, title: 'not this project', assigneeId: memberId },
      as(other.ownerId),
    );

    // Act
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await store.tasks.assignedTo(projectId, memberId, 2, cursor);
      seen.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null);

    // Assess
    expect(pages).toBe(2);
    expect(seen).toEqual([...taskIds.slice(1)].reverse());
  });
});
