import { type TaskEvent } from './task.events';
import { ProjectAccess } from '@taskflow/projects-domain';
import { Task } from './task.aggregate';
import { defaultTaskRank } from './task-fields';
import { type TaskAuditRow, auditRowsOf, historyOf } from './task-history';
import { SAMPLE_IDS, sampleRoles } from '@taskflow/platform-testing';

const { PROJECT_ID, TASK_ID, OWNER, EDITOR } = SAMPLE_IDS;

const access = ProjectAccess.of(PROJECT_ID, sampleRoles());

const at = (day: number): Date => new Date(Date.UTC(2025, 0, day, 9));

/**
 * The events of a task's whole life, as successive commands would store them: created, four
 * changes (one of them a no-op, which stores nothing), then deleted.
 */
function lifeOfATask(): TaskEvent[] {
  const events: TaskEvent[] = [];
  const task = Task.create({
    id: TASK_ID,
    projectId: PROJECT_ID,
    title: 'Plan',
    fields: { labels: ['a'], assigneeId: EDITOR },
    actorId: OWNER,
    access,
    now: at(1),
  });
  events.push(...task.pullEvents());
  task.update({ title: 'Plan the launch', priority: 'high' }, EDITOR, access, at(2));
  events.push(...task.pullEvents());
  task.update({ title: 'Plan the launch' }, EDITOR, access, at(3));
  events.push(...task.pullEvents());
  task.update({ status: 'completed', assigneeId: null }, OWNER, access, at(4));
  events.push(...task.pullEvents());
  task.update({ status: 'pending' }, OWNER, access, at(5));
  events.push(...task.pullEvents());
  task.delete(EDITOR, access, at(6));
  events.push(...task.pullEvents());
  return events;
}

describe('auditRowsOf', () => {
  it('writes one creation row, one row per changed field, and one deletion row', () => {
    // Act
    const rows = auditRowsOf(lifeOfATask());

    // Assess
    expect(rows.map((r) => [r.version, r.field])).toEqual([
      [1, '*'],
      [2, 'title'],
      [2, 'priority'],
      [3, 'status'],
      [3, 'assigneeId'],
      [3, 'completedAt'],
      [4, 'status'],
      [4, 'completedAt'],
      [5, 'deletedAt'],
    ]);
    expect(rows.every((r) => r.taskId === TASK_ID)).toBe(true);
  });

  it('stores the initial task as the creation row', () => {
    // Act
    const [creation] = auditRowsOf(lifeOfATask());

    // Assess
    expect(creation).toEqual({
      taskId: TASK_ID,
      version: 1,
      field: '*',
      oldValue: null,
      newValue: {
        title: 'Plan',
        description: '',
        status: 'pending',
        priority: 'medium',
        assigneeId: EDITOR,
        dueDate: null,
        labels: ['a'],
        rank: defaultTaskRank(at(1).toISOString()),
        completedAt: null,
      },
      actorId: OWNER,
      at: at(1).toISOString(),
    });
  });

  it.each<{ type: TaskEvent['type']; event: TaskEvent }>([
    {
      type: 'task.status_changed',
      event: {
        type: 'task.status_changed',
        schemaVersion: 1,
        data: { from: 'pending', to: 'blocked' },
        aggregateId: TASK_ID,
        aggregateVersion: 2,
        projectId: PROJECT_ID,
        actor: OWNER,
        occurredAt: at(2).toISOString(),
      },
    },
    {
      type: 'task.assigned',
      event: {
        type: 'task.assigned',
        schemaVersion: 1,
        data: { from: null, to: EDITOR },
        aggregateId: TASK_ID,
        aggregateVersion: 2,
        projectId: PROJECT_ID,
        actor: OWNER,
        occurredAt: at(2).toISOString(),
      },
    },
    {
      type: 'task.completed',
      event: {
        type: 'task.completed',
        schemaVersion: 1,
        data: { completedAt: at(2).toISOString(), completedBy: OWNER },
        aggregateId: TASK_ID,
        aggregateVersion: 2,
        projectId: PROJECT_ID,
        actor: OWNER,
        occurredAt: at(2).toISOString(),
      },
    },
  ])('adds no row for $type, which task.updated already records', ({ event }) => {
    // Act
    const rows = auditRowsOf([event]);

    // Assess
    expect(rows).toEqual([]);
  });
});

describe('historyOf', () => {
  it('round-trips the audit rows into one entry per version, 1..n', () => {
    // Act
    const history = historyOf(auditRowsOf(lifeOfATask()));

    // Assess
    expect(history.map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
    expect(history.map((e) => e.action)).toEqual([
      'created',
      'updated',
      'updated',
      'updated',
      'deleted',
    ]);
    expect(history.map((e) => e.actorId)).toEqual([OWNER, EDITOR, OWNER, OWNER, EDITOR]);
    expect(history.map((e) => e.at)).toEqual(
      [at(1), at(2), at(4), at(5), at(6)].map((d) => d.toISOString()),
    );
  });

  it('shows creation as every field going from null to its initial value', () => {
    // Act
    const [created] = historyOf(auditRowsOf(lifeOfATask()));

    // Assess
    expect(created?.changes).toEqual({
      title: { oldValue: null, newValue: 'Plan' },
      description: { oldValue: null, newValue: '' },
      status: { oldValue: null, newValue: 'pending' },
      priority: { oldValue: null, newValue: 'medium' },
      assigneeId: { oldValue: null, newValue: EDITOR },
      dueDate: { oldValue: null, newValue: null },
      labels: { oldValue: null, newValue: ['a'] },
      rank: { oldValue: null, newValue: defaultTaskRank(at(1).toISOString()) },
      completedAt: { oldValue: null, newValue: null },
    });
  });

  it('shows each update with the exact old and new values of the fields it changed', () => {
    // Act
    const history = historyOf(auditRowsOf(lifeOfATask()));

    // Assess
    expect(history.slice(1).map((e) => e.changes)).toEqual([
      {
        title: { oldValue: 'Plan', newValue: 'Plan the launch' },
        priority: { oldValue: 'medium', newValue: 'high' },
      },
      {
        status: { oldValue: 'pending', newValue: 'completed' },
        assigneeId: { oldValue: EDITOR, newValue: null },
        completedAt: { oldValue: null, newValue: at(4).toISOString() },
      },
      {
        status: { oldValue: 'completed', newValue: 'pending' },
        completedAt: { oldValue: at(4).toISOString(), newValue: null },
      },
      { deletedAt: { oldValue: null, newValue: at(6).toISOString() } },
    ]);
  });

  it('does not depend on the order of the rows', () => {
    // Prepare
    const rows = auditRowsOf(lifeOfATask());
    const shuffled: TaskAuditRow[] = [...rows].reverse();

    // Act
    const history = historyOf(shuffled);

    // Assess
    expect(history).toEqual(historyOf(rows));
  });

  it('survives storage as JSON', () => {
    // Prepare
    const rows = auditRowsOf(lifeOfATask());
    const stored = JSON.parse(JSON.stringify(rows)) as TaskAuditRow[];

    // Act
    const history = historyOf(stored);

    // Assess
    expect(history).toEqual(historyOf(rows));
  });

  it('is empty without rows', () => {
    // Act
    const history = historyOf([]);

    // Assess
    expect(history).toEqual([]);
  });
});
