import { type PendingEvent } from '@taskflow/platform-events';
import type { TaskSnapshot } from './task.events';
import { ProjectAccess } from '@taskflow/projects-domain';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '@taskflow/platform-kernel';
import { Task, type TaskPatch } from './task.aggregate';
import { errorOf } from '@taskflow/platform-assertions';
import {
  SAMPLE_IDS,
  expectDomainError,
  expectInvalidField,
  sampleRoles,
} from '@taskflow/platform-testing';

const { PROJECT_ID, TASK_ID, OWNER, EDITOR, VIEWER, STRANGER } = SAMPLE_IDS;

const CREATED = new Date('2025-01-01T00:00:00.000Z');
const T1 = new Date('2025-01-02T10:00:00.000Z');
const T2 = new Date('2025-01-03T10:00:00.000Z');

const access = ProjectAccess.of(PROJECT_ID, sampleRoles());

/** A stored task at version 3 (plus any overrides), as a repository would rehydrate it. */
function storedTask(overrides: Partial<TaskSnapshot> = {}): Task {
  return Task.rehydrate({
    id: TASK_ID,
    projectId: PROJECT_ID,
    title: 'Write the report',
    description: 'Quarterly numbers',
    status: 'in_progress',
    priority: 'medium',
    assigneeId: EDITOR,
    createdBy: OWNER,
    dueDate: '2025-02-01T00:00:00.000Z',
    labels: ['finance', 'q1'],
    rank: 'a0',
    version: 3,
    createdAt: CREATED.toISOString(),
    updatedAt: CREATED.toISOString(),
    completedAt: null,
    deletedAt: null,
    ...overrides,
  });
}

/** A task titled 'Plan' that OWNER creates at CREATED, with anything else as given. */
const created = (input: Partial<Parameters<typeof Task.create>[0]> = {}): Task =>
  Task.create({
    id: TASK_ID,
    projectId: PROJECT_ID,
    title: 'Plan',
    fields: {},
    actorId: OWNER,
    access,
    now: CREATED,
    ...input,
  });

/** The common envelope fields of an event the task raised at `version` and `at`. */
const raisedBy = (actor: string, version: number, at: Date) => ({
  aggregateId: TASK_ID,
  aggregateVersion: version,
  projectId: PROJECT_ID,
  actor,
  occurredAt: at.toISOString(),
});

describe('Task.create', () => {
  it('fills the defaults and raises only task.created with the whole task', () => {
    // Act
    const task = created({ title: '  Plan  ', actorId: EDITOR });

    // Assess
    const expected: TaskSnapshot = {
      id: TASK_ID,
      projectId: PROJECT_ID,
      title: 'Plan',
      description: '',
      status: 'pending',
      priority: 'medium',
      assigneeId: null,
      createdBy: EDITOR,
      dueDate: null,
      labels: [],
      // 9,999,999,999,999 − 1,735,689,600,000 (CREATED in ms): newest first.
      rank: 'N8264310399999',
      version: 1,
      createdAt: CREATED.toISOString(),
      updatedAt: CREATED.toISOString(),
      completedAt: null,
      deletedAt: null,
    };
    expect(task.snapshot()).toEqual(expected);
    expect(task.version).toBe(1);
    expect(task.loadedVersion).toBe(0);
    expect(task.isDeleted).toBe(false);
    expect(task.pullEvents()).toEqual([
      {
        type: 'task.created',
        schemaVersion: 1,
        data: { task: expected },
        ...raisedBy(EDITOR, 1, CREATED),
      },
    ]);
  });

  it('takes every field it is given, validated and normalised', () => {
    // Act
    const task = created({
      fields: {
        description: ' as written ',
        status: 'blocked',
        priority: 'urgent',
        dueDate: '2025-06-01T12:00:00+02:00',
        labels: [' a ', 'b', 'a'],
      },
    });

    // Assess
    expect(task.snapshot()).toMatchObject({
      description: ' as written ',
      status: 'blocked',
      priority: 'urgent',
      dueDate: '2025-06-01T10:00:00.000Z',
      labels: ['a', 'b'],
      completedAt: null,
    });
  });

  it('raises task.assigned when created with an assignee', () => {
    // Act
    const task = created({ fields: { assigneeId: VIEWER } });

    // Assess
    expect(task.snapshot().assigneeId).toBe(VIEWER);
    expect(task.pullEvents().slice(1)).toEqual([
      {
        type: 'task.assigned',
        schemaVersion: 1,
        data: { from: null, to: VIEWER },
        ...raisedBy(OWNER, 1, CREATED),
      },
    ]);
  });

  it('sets completedAt and raises task.completed when created completed', () => {
    // Act
    const task = created({ title: 'Done', fields: { status: 'completed' } });

    // Assess
    expect(task.snapshot().completedAt).toBe(CREATED.toISOString());
    expect(task.pullEvents().map((e) => e.type)).toEqual(['task.created', 'task.completed']);
  });

  it('completes the event payload of a task created completed', () => {
    // Act
    const events = created({ title: 'Done', fields: { status: 'completed' } }).pullEvents();

    // Assess
    expect(events[1]).toEqual({
      type: 'task.completed',
      schemaVersion: 1,
      data: { completedAt: CREATED.toISOString(), completedBy: OWNER },
      ...raisedBy(OWNER, 1, CREATED),
    });
  });

  it.each([
    { case: 'an empty title', title: '', fields: {}, path: 'title' },
    { case: 'a blank title', title: '  ', fields: {}, path: 'title' },
    { case: 'a 201-character title', title: 't'.repeat(201), fields: {}, path: 'title' },
    {
      case: 'a 10001-character description',
      title: 'ok',
      fields: { description: 'd'.repeat(10_001) },
      path: 'description',
    },
    {
      case: 'an empty fourth label',
      title: 'ok',
      fields: { labels: ['a', 'b', 'c', ' '] },
      path: 'labels.3',
    },
    {
      case: 'a 51-character label',
      title: 'ok',
      fields: { labels: ['l'.repeat(51)] },
      path: 'labels.0',
    },
    {
      case: '21 distinct labels',
      title: 'ok',
      fields: { labels: Array.from({ length: 21 }, (_, i) => `l${i}`) },
      path: 'labels',
    },
    {
      case: 'a due date without offset',
      title: 'ok',
      fields: { dueDate: '2025-06-01T10:00:00' },
      path: 'dueDate',
    },
  ])('rejects $case on path $path', ({ title, fields, path }) => {
    // Act
    const error = errorOf(() => created({ title, fields }));

    // Assess
    expectInvalidField(error, path);
  });

  it('rejects an assignee who is not a member (ASSIGNEE_NOT_MEMBER on assigneeId)', () => {
    // Act
    const error = errorOf(() => created({ fields: { assigneeId: STRANGER } }));

    // Assess
    expectDomainError(error, ValidationError, 'ASSIGNEE_NOT_MEMBER', {
      issues: [{ path: 'assigneeId' }],
    });
  });

  it('ranks later tasks above earlier ones when no rank is given, and keeps a given one', () => {
    // Act
    const earlier = created({ now: CREATED }).snapshot().rank;
    const later = created({ now: T1 }).snapshot().rank;
    const placed = created({ fields: { rank: 'a1V' } }).snapshot().rank;

    // Assess
    expect(later < earlier).toBe(true);
    expect(placed).toBe('a1V');
  });

  it('rejects a rank that is not an order key (INVALID_FIELD on rank)', () => {
    // Act
    const error = errorOf(() => created({ fields: { rank: 'a10' } }));

    // Assess
    expectDomainError(error, ValidationError, 'INVALID_FIELD', { issues: [{ path: 'rank' }] });
  });

  it.each([
    { who: 'a viewer', actorId: VIEWER, type: ForbiddenError, code: 'ROLE_FORBIDDEN' },
    { who: 'a non-member', actorId: STRANGER, type: NotFoundError, code: 'PROJECT_NOT_FOUND' },
  ])('refuses $who ($code)', ({ actorId, type, code }) => {
    // Act
    const error = errorOf(() => created({ actorId }));

    // Assess
    expectDomainError(error, type, code);
  });
});

describe('Task.rehydrate', () => {
  it('raises nothing and remembers the stored version', () => {
    // Act
    const task = storedTask();

    // Assess
    expect(task.pullEvents()).toEqual([]);
    expect(task.loadedVersion).toBe(3);
    expect(task.version).toBe(3);
  });

  it('does not share its labels with the caller', () => {
    // Prepare
    const labels = ['finance'];
    const task = storedTask({ labels });

    // Act
    labels.push('mutated');
    task.snapshot().labels.push('mutated too');

    // Assess
    expect(task.snapshot().labels).toEqual(['finance']);
  });
});

describe('Task.update', () => {
  it('raises task.updated with the old and new value of just the changed field', () => {
    // Prepare
    const task = storedTask();

    // Act
    const changed = task.update({ title: '  Write the annual report ' }, EDITOR, access, T1);

    // Assess
    expect(changed).toBe(true);
    const snapshot = task.snapshot();
    expect(snapshot).toEqual({
      ...storedTask().snapshot(),
      title: 'Write the annual report',
      version: 4,
      updatedAt: T1.toISOString(),
    });
    expect(task.loadedVersion).toBe(3);
    expect(task.pullEvents()).toEqual([
      {
        type: 'task.updated',
        schemaVersion: 1,
        data: {
          changes: { title: { oldValue: 'Write the report', newValue: 'Write the annual report' } },
          task: snapshot,
        },
        ...raisedBy(EDITOR, 4, T1),
      },
    ]);
  });

  it('moves the task within its column: a rank change is a field change like any other', () => {
    // Prepare
    const task = storedTask();

    // Act
    const changed = task.update({ rank: 'a0V' }, EDITOR, access, T1);

    // Assess
    expect(changed).toBe(true);
    const [updated] = task.pullEvents();
    expect(updated).toMatchObject({
      type: 'task.updated',
      data: { changes: { rank: { oldValue: 'a0', newValue: 'a0V' } }, task: { rank: 'a0V' } },
    });
    expect(task.update({ rank: 'a0V' }, EDITOR, access, T2)).toBe(false);
  });

  it('records every changed field and only those, bumping the version once', () => {
    // Prepare
    const task = storedTask();

    // Act
    task.update(
      {
        title: 'Write the report',
        description: 'Annual numbers',
        priority: 'high',
        dueDate: null,
        labels: ['q1', 'finance'],
      },
      OWNER,
      access,
      T1,
    );

    // Assess
    expect(task.version).toBe(4);
    const [updated, ...rest] = task.pullEvents();
    expect(rest).toEqual([]);
    expect(updated?.type === 'task.updated' ? updated.data.changes : null).toEqual({
      description: { oldValue: 'Quarterly numbers', newValue: 'Annual numbers' },
      priority: { oldValue: 'medium', newValue: 'high' },
      dueDate: { oldValue: '2025-02-01T00:00:00.000Z', newValue: null },
      labels: { oldValue: ['finance', 'q1'], newValue: ['q1', 'finance'] },
    });
  });

  it('raises task.status_changed on a status change that is not completion', () => {
    // Prepare
    const task = storedTask();

    // Act
    task.update({ status: 'blocked' }, EDITOR, access, T1);

    // Assess
    expect(task.pullEvents()).toMatchObject([
      {
        type: 'task.updated',
        schemaVersion: 1,
        data: { changes: { status: { oldValue: 'in_progress', newValue: 'blocked' } } },
      },
      {
        type: 'task.status_changed',
        schemaVersion: 1,
        data: { from: 'in_progress', to: 'blocked' },
        ...raisedBy(EDITOR, 4, T1),
      },
    ]);
  });

  it('sets completedAt and raises task.status_changed and task.completed on completion', () => {
    // Prepare
    const task = storedTask();

    // Act
    task.update({ status: 'completed' }, EDITOR, access, T1);

    // Assess
    expect(task.snapshot()).toMatchObject({
      status: 'completed',
      completedAt: T1.toISOString(),
      version: 4,
    });
    const events = task.pullEvents();
    expect(events.map((e) => e.type)).toEqual([
      'task.updated',
      'task.status_changed',
      'task.completed',
    ]);
    expect(events[0]).toMatchObject({
      data: {
        changes: {
          status: { oldValue: 'in_progress', newValue: 'completed' },
          completedAt: { oldValue: null, newValue: T1.toISOString() },
        },
      },
    });
    expect(events[2]).toEqual({
      type: 'task.completed',
      schemaVersion: 1,
      data: { completedAt: T1.toISOString(), completedBy: EDITOR },
      ...raisedBy(EDITOR, 4, T1),
    });
  });

  it.each([{ to: 'pending' as const }, { to: 'in_progress' as const }, { to: 'blocked' as const }])(
    'clears completedAt when a completed task is reopened to $to',
    ({ to }) => {
      // Prepare
      const task = storedTask({ status: 'completed', completedAt: CREATED.toISOString() });

      // Act
      task.update({ status: to }, EDITOR, access, T1);

      // Assess
      expect(task.snapshot()).toMatchObject({ status: to, completedAt: null });
      const events = task.pullEvents();
      expect(events.map((e) => e.type)).toEqual(['task.updated', 'task.status_changed']);
      expect(events[0]).toMatchObject({
        data: {
          changes: {
            status: { oldValue: 'completed', newValue: to },
            completedAt: { oldValue: CREATED.toISOString(), newValue: null },
          },
        },
      });
    },
  );

  it.each([
    { from: 'completed' as const, to: 'cancelled' as const, code: 'TASK_ALREADY_COMPLETED' },
    { from: 'cancelled' as const, to: 'completed' as const, code: 'TASK_CANCELLED' },
  ])('refuses $from → $to ($code) and changes nothing', ({ from, to, code }) => {
    // Prepare
    const task = storedTask({
      status: from,
      completedAt: from === 'completed' ? CREATED.toISOString() : null,
    });
    const before = task.snapshot();

    // Act
    const error = errorOf(() => task.update({ status: to, title: 'Renamed' }, OWNER, access, T1));

    // Assess
    expectDomainError(error, ConflictError, code);
    expect(task.snapshot()).toEqual(before);
    expect(task.pullEvents()).toEqual([]);
  });

  it('lets a cancelled task be reopened', () => {
    // Prepare
    const task = storedTask({ status: 'cancelled' });

    // Act
    const changed = task.update({ status: 'pending' }, OWNER, access, T1);

    // Assess
    expect(changed).toBe(true);
    expect(task.snapshot().status).toBe('pending');
  });

  it.each([
    { case: 'reassigned', to: OWNER },
    { case: 'assigned to a viewer', to: VIEWER },
    { case: 'unassigned', to: null },
  ])('raises task.assigned when $case', ({ to }) => {
    // Prepare
    const task = storedTask();

    // Act
    task.update({ assigneeId: to }, OWNER, access, T1);

    // Assess
    expect(task.snapshot().assigneeId).toBe(to);
    expect(task.pullEvents()).toMatchObject([
      {
        type: 'task.updated',
        schemaVersion: 1,
        data: { changes: { assigneeId: { oldValue: EDITOR, newValue: to } } },
      },
      {
        type: 'task.assigned',
        schemaVersion: 1,
        data: { from: EDITOR, to },
        ...raisedBy(OWNER, 4, T1),
      },
    ]);
  });

  it('raises its events in order: updated, status_changed, completed, assigned', () => {
    // Prepare
    const task = storedTask();

    // Act
    task.update({ status: 'completed', assigneeId: OWNER, priority: 'low' }, OWNER, access, T1);

    // Assess
    const events = task.pullEvents();
    expect(events.map((e) => e.type)).toEqual([
      'task.updated',
      'task.status_changed',
      'task.completed',
      'task.assigned',
    ]);
    expect(new Set(events.map((e) => e.aggregateVersion))).toEqual(new Set([4]));
  });

  it('rejects a new assignee who is not a member (ASSIGNEE_NOT_MEMBER on assigneeId)', () => {
    // Prepare
    const task = storedTask();

    // Act
    const error = errorOf(() => task.update({ assigneeId: STRANGER }, OWNER, access, T1));

    // Assess
    expectDomainError(error, ValidationError, 'ASSIGNEE_NOT_MEMBER', {
      issues: [{ path: 'assigneeId' }],
    });
    expect(task.snapshot().assigneeId).toBe(EDITOR);
  });

  it('keeps an assignee who has since left the project when the patch repeats them', () => {
    // Prepare
    const task = storedTask({ assigneeId: STRANGER });

    // Act
    const changed = task.update({ assigneeId: STRANGER, title: 'Renamed' }, OWNER, access, T1);

    // Assess
    expect(changed).toBe(true);
    expect(task.snapshot().assigneeId).toBe(STRANGER);
  });

  it.each<{ case: string; patch: TaskPatch }>([
    { case: 'an empty patch', patch: {} },
    { case: 'undefined fields', patch: { title: undefined, status: undefined, labels: undefined } },
    {
      case: 'the current values',
      patch: {
        title: 'Write the report',
        status: 'in_progress',
        priority: 'medium',
        assigneeId: EDITOR,
      },
    },
    { case: 'the title with extra whitespace', patch: { title: '  Write the report  ' } },
    {
      case: 'the labels with duplicates and whitespace',
      patch: { labels: [' finance', 'q1', 'finance '] },
    },
    { case: 'the due date in another offset', patch: { dueDate: '2025-02-01T01:00:00+01:00' } },
  ])('changes nothing for $case: returns false, keeps the version, raises nothing', ({ patch }) => {
    // Prepare
    const task = storedTask();
    const before = task.snapshot();

    // Act
    const changed = task.update(patch, EDITOR, access, T1);

    // Assess
    expect(changed).toBe(false);
    expect(task.snapshot()).toEqual(before);
    expect(task.version).toBe(3);
    expect(task.pullEvents()).toEqual([]);
  });

  it('bumps the version by one per change', () => {
    // Prepare
    const task = storedTask();

    // Act
    task.update({ title: 'One' }, EDITOR, access, T1);
    task.update({ title: 'One' }, EDITOR, access, T1);
    task.update({ priority: 'urgent' }, EDITOR, access, T2);

    // Assess
    expect(task.version).toBe(5);
    expect(task.pullEvents().map((e) => [e.type, e.aggregateVersion])).toEqual([
      ['task.updated', 4],
      ['task.updated', 5],
    ]);
  });

  it.each([
    { who: 'a viewer', actorId: VIEWER, type: ForbiddenError, code: 'ROLE_FORBIDDEN' },
    { who: 'a non-member', actorId: STRANGER, type: NotFoundError, code: 'PROJECT_NOT_FOUND' },
  ])('refuses $who ($code)', ({ actorId, type, code }) => {
    // Prepare
    const task = storedTask();

    // Act
    const error = errorOf(() => task.update({ title: 'Mine now' }, actorId, access, T1));

    // Assess
    expectDomainError(error, type, code);
    expect(task.snapshot().title).toBe('Write the report');
  });

  it.each([
    { case: 'an empty title', patch: { title: '' }, path: 'title' },
    {
      case: 'a too long description',
      patch: { description: 'd'.repeat(10_001) },
      path: 'description',
    },
    { case: 'an empty third label', patch: { labels: ['a', 'b', ''] }, path: 'labels.2' },
    { case: 'a due date that is not a date', patch: { dueDate: 'soon' }, path: 'dueDate' },
  ])('rejects $case on path $path', ({ patch, path }) => {
    // Prepare
    const task = storedTask();

    // Act
    const error = errorOf(() => task.update(patch, EDITOR, access, T1));

    // Assess
    expectInvalidField(error, path);
    expect(task.version).toBe(3);
  });
});

describe('Task.releaseAssignee', () => {
  it('unassigns a member leaving the project, raising task.updated then task.assigned', () => {
    // Prepare
    const task = storedTask({ assigneeId: EDITOR });

    // Act
    const changed = task.releaseAssignee(EDITOR, OWNER, T1);

    // Assess
    expect(changed).toBe(true);
    expect(task.snapshot()).toMatchObject({
      assigneeId: null,
      version: 4,
      updatedAt: T1.toISOString(),
    });
    const events = task.pullEvents();
    expect(events.map((e) => e.type)).toEqual(['task.updated', 'task.assigned']);
    expect(events[0]).toMatchObject({
      ...raisedBy(OWNER, 4, T1),
      data: { changes: { assigneeId: { oldValue: EDITOR, newValue: null } } },
    });
    expect(events[1]).toEqual({
      type: 'task.assigned',
      schemaVersion: 1,
      data: { from: EDITOR, to: null },
      ...raisedBy(OWNER, 4, T1),
    });
  });

  it('needs no role of the actor: the removal it follows was authorised', () => {
    // Prepare
    const task = storedTask({ assigneeId: VIEWER });

    // Act
    const changed = task.releaseAssignee(VIEWER, STRANGER, T1);

    // Assess
    expect(changed).toBe(true);
    expect(task.snapshot().assigneeId).toBeNull();
  });

  it.each<{ case: string; overrides: Partial<TaskSnapshot> }>([
    { case: 'assigned to someone else', overrides: { assigneeId: OWNER } },
    { case: 'unassigned', overrides: { assigneeId: null } },
    { case: 'deleted', overrides: { assigneeId: EDITOR, deletedAt: T1.toISOString() } },
  ])('changes nothing on a task $case', ({ overrides }) => {
    // Prepare
    const task = storedTask(overrides);
    const before = task.snapshot();

    // Act
    const changed = task.releaseAssignee(EDITOR, OWNER, T2);

    // Assess
    expect(changed).toBe(false);
    expect(task.snapshot()).toEqual(before);
    expect(task.pullEvents()).toEqual([]);
  });
});

describe('Task.delete', () => {
  it('sets deletedAt, bumps the version and raises task.deleted', () => {
    // Prepare
    const task = storedTask();

    // Act
    task.delete(EDITOR, access, T1);

    // Assess
    expect(task.isDeleted).toBe(true);
    expect(task.snapshot()).toMatchObject({
      deletedAt: T1.toISOString(),
      updatedAt: T1.toISOString(),
      version: 4,
    });
    expect(task.pullEvents()).toEqual([
      {
        type: 'task.deleted',
        schemaVersion: 1,
        data: { deletedAt: T1.toISOString() },
        ...raisedBy(EDITOR, 4, T1),
      },
    ]);
  });

  it.each<{ action: string; act: (task: Task) => unknown }>([
    { action: 'an update', act: (task) => task.update({ title: 'Again' }, OWNER, access, T2) },
    { action: 'an empty update', act: (task) => task.update({}, OWNER, access, T2) },
    { action: 'another delete', act: (task) => task.delete(OWNER, access, T2) },
  ])('then answers $action with 404 TASK_NOT_FOUND', ({ act }) => {
    // Prepare
    const task = storedTask();
    task.delete(EDITOR, access, T1);
    task.pullEvents();

    // Act
    const error = errorOf(() => act(task));

    // Assess
    expectDomainError(error, NotFoundError, 'TASK_NOT_FOUND');
    expect(task.version).toBe(4);
    expect(task.pullEvents()).toEqual([]);
  });

  it('answers a stored deleted task with 404 TASK_NOT_FOUND', () => {
    // Prepare
    const task = storedTask({ deletedAt: CREATED.toISOString() });

    // Act
    const error = errorOf(() => task.delete(OWNER, access, T1));

    // Assess
    expect(error).toMatchObject({ code: 'TASK_NOT_FOUND' });
  });

  it.each([
    { who: 'a viewer', actorId: VIEWER, type: ForbiddenError, code: 'ROLE_FORBIDDEN' },
    { who: 'a non-member', actorId: STRANGER, type: NotFoundError, code: 'PROJECT_NOT_FOUND' },
  ])('refuses $who ($code)', ({ actorId, type, code }) => {
    // Prepare
    const task = storedTask();

    // Act
    const error = errorOf(() => task.delete(actorId, access, T1));

    // Assess
    expectDomainError(error, type, code);
    expect(task.isDeleted).toBe(false);
  });
});

describe('Task.pullEvents', () => {
  it('forgets the events it returned', () => {
    // Prepare
    const task = storedTask();
    task.update({ title: 'New' }, OWNER, access, T1);
    const first: PendingEvent[] = task.pullEvents();

    // Act
    const second = task.pullEvents();

    // Assess
    expect(first).toHaveLength(1);
    expect(second).toEqual([]);
  });
});
