import {
  type BoardState,
  type StreamEnvelope,
  type Task,
  applyEvent,
  beginEdit,
  byRank,
  columns,
  editConfirmed,
  editDropped,
  emptyBoard,
  isOverdue,
  knownVersions,
  rankAt,
  rankOf,
  resolveConflict,
  shownTask,
  withTask,
  withTasks,
  withoutVanished,
} from './board-state';

let n = 0;
function task(overrides: Partial<Task> = {}): Task {
  n += 1;
  const createdAt = `2026-12-07T10:00:${String(n % 60).padStart(2, '0')}.000Z`;
  return {
    id: `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`,
    projectId: '00000000-0000-7000-8000-00000000aaaa',
    title: `Task ${n}`,
    description: '',
    status: 'pending',
    priority: 'medium',
    assigneeId: null,
    createdBy: '00000000-0000-7000-8000-00000000bbbb',
    dueDate: null,
    labels: [],
    // The API's default: newest first.
    rank: `N${String(9_999_999_999_999 - Date.parse(createdAt)).padStart(13, '0')}`,
    version: 1,
    createdAt,
    updatedAt: '2026-12-07T10:00:00.000Z',
    completedAt: null,
    deletedAt: null,
    ...overrides,
  };
}

const event = (type: string, t: Task, extra: object = {}): StreamEnvelope => ({
  id: `evt-${type}-${t.id}-${t.version}`,
  type,
  aggregateId: t.id,
  aggregateVersion: t.version,
  data: { task: t, ...extra },
});

const ids = (state: BoardState, status: Task['status']): string[] =>
  (columns(state).get(status) ?? []).map((t) => t.id);

describe('the board state', () => {
  describe('applying live events', () => {
    it('adds a created task to its column, and moves it on an update', () => {
      const created = task();

      const afterCreate = applyEvent(emptyBoard, event('task.created', created));
      const moved = { ...created, status: 'in_progress' as const, version: 2 };
      const afterMove = applyEvent(afterCreate, event('task.updated', moved));

      expect(ids(afterCreate, 'pending')).toEqual([created.id]);
      expect(ids(afterMove, 'pending')).toEqual([]);
      expect(ids(afterMove, 'in_progress')).toEqual([created.id]);
    });

    it('ignores a repeated event and an older one arriving late', () => {
      const v1 = task();
      const v2 = { ...v1, title: 'Renamed', version: 2 };
      const state = applyEvent(
        applyEvent(emptyBoard, event('task.created', v1)),
        event('task.updated', v2),
      );

      const repeated = applyEvent(state, event('task.updated', v2));
      const late = applyEvent(state, event('task.created', v1));

      expect(repeated).toBe(state);
      expect(late).toBe(state);
      expect(shownTask(state, v1.id)?.title).toBe('Renamed');
    });

    it('removes a deleted task, and a late update cannot bring it back', () => {
      const v1 = task();
      const state = applyEvent(emptyBoard, event('task.created', v1));

      const deleted = applyEvent(state, {
        id: 'evt-del',
        type: 'task.deleted',
        aggregateId: v1.id,
        aggregateVersion: 3,
        data: { deletedAt: '2026-12-07T11:00:00.000Z' },
      });
      const late = applyEvent(deleted, event('task.updated', { ...v1, version: 2 }));
      const stalePage = withTask(late, { ...v1, version: 2 });

      expect(shownTask(deleted, v1.id)).toBeUndefined();
      expect(shownTask(late, v1.id)).toBeUndefined();
      expect(shownTask(stalePage, v1.id)).toBeUndefined();
    });

    it('keeps an event newer than a page read before it', () => {
      const v1 = task();
      const v2 = { ...v1, priority: 'high' as const, version: 2 };
      const live = applyEvent(emptyBoard, event('task.updated', v2));

      const afterPage = withTasks(live, [v1]);

      expect(shownTask(afterPage, v1.id)?.priority).toBe('high');
    });

    it('leaves the tasks alone on events of other kinds or without a task', () => {
      const state = applyEvent(emptyBoard, event('task.created', task()));

      expect(
        applyEvent(state, {
          id: 'x',
          type: 'comment.added',
          aggregateId: 'c',
          aggregateVersion: 1,
          data: {},
        }),
      ).toBe(state);
      expect(
        applyEvent(state, {
          id: 'y',
          type: 'task.updated',
          aggregateId: 'z',
          aggregateVersion: 9,
          data: {},
        }),
      ).toBe(state);
    });
  });

  describe('catching up after a reconnect without resume', () => {
    /** A board holding `kept`, `gone` and `moved`, and the versions it held them at. */
    function offlineBoard() {
      const [kept, gone, moved] = [task(), task(), task()];
      const state = withTasks(emptyBoard, [kept, gone, moved]);
      return { kept, gone, moved, state, before: knownVersions(state) };
    }

    it('takes away a task the complete re-read no longer has: it was deleted offline', () => {
      // Prepare
      const { kept, gone, moved, state, before } = offlineBoard();
      const reread = withTasks(state, [kept, moved]);

      // Act
      const after = withoutVanished(reread, before, new Set([kept.id, moved.id]));

      // Assess
      expect(ids(after, 'pending').sort()).toEqual([kept.id, moved.id].sort());
      expect(after.deleted.get(gone.id)).toBe(gone.version);
    });

    it('keeps a task a live event changed during the re-read (it moved between pages)', () => {
      // Prepare: the re-read missed `moved`, whose rank changed while the pages were read.
      const { kept, gone, moved, state, before } = offlineBoard();
      const during = applyEvent(state, event('task.updated', { ...moved, version: 2 }));

      // Act
      const after = withoutVanished(during, before, new Set([kept.id, gone.id]));

      // Assess
      expect(after).toBe(during);
      expect(shownTask(after, moved.id)?.version).toBe(2);
    });

    it('keeps a task created during the re-read, and the ones every page had', () => {
      // Prepare
      const { kept, gone, moved, state, before } = offlineBoard();
      const created = task();
      const during = applyEvent(state, event('task.created', created));

      // Act
      const after = withoutVanished(during, before, new Set([kept.id, gone.id, moved.id]));

      // Assess
      expect(after).toBe(during);
      expect(ids(after, 'pending')).toContain(created.id);
    });

    it('drops the pending edit of a task taken away, and a late old copy cannot bring it back', () => {
      // Prepare
      const { kept, gone, moved, state, before } = offlineBoard();
      const editing = beginEdit(state, gone.id, { title: 'Mine' });

      // Act
      const after = withoutVanished(editing, before, new Set([kept.id, moved.id]));
      const late = withTask(after, gone);

      // Assess
      expect(after.pending.has(gone.id)).toBe(false);
      expect(shownTask(late, gone.id)).toBeUndefined();
    });

    it('lets a newer event bring back a task it took away too early', () => {
      // Prepare: taken away, then the event of its move between pages arrives after all.
      const { kept, moved, state, before } = offlineBoard();
      const after = withoutVanished(state, before, new Set([kept.id]));

      // Act
      const healed = applyEvent(after, event('task.updated', { ...moved, version: 2 }));

      // Assess
      expect(shownTask(healed, moved.id)?.version).toBe(2);
    });

    it('changes nothing when the re-read found every task', () => {
      const { kept, gone, moved, state, before } = offlineBoard();

      expect(withoutVanished(state, before, new Set([kept.id, gone.id, moved.id]))).toBe(state);
    });
  });

  describe('optimistic edits', () => {
    it('shows an edit at once, then the server’s answer', () => {
      const t = task();
      const state = withTask(emptyBoard, t);

      const editing = beginEdit(state, t.id, { status: 'completed' });
      const confirmed = editConfirmed(editing, { ...t, status: 'completed', version: 2 });

      expect(ids(editing, 'completed')).toEqual([t.id]);
      expect(confirmed.pending.size).toBe(0);
      expect(shownTask(confirmed, t.id)?.version).toBe(2);
    });

    it('keeps showing the edit while someone else’s event arrives, and falls back when dropped', () => {
      const t = task();
      const editing = beginEdit(withTask(emptyBoard, t), t.id, { title: 'Mine' });

      const theirs = applyEvent(
        editing,
        event('task.updated', { ...t, priority: 'urgent', version: 2 }),
      );
      const dropped = editDropped(theirs, t.id);

      expect(shownTask(theirs, t.id)).toMatchObject({ title: 'Mine', priority: 'urgent' });
      expect(shownTask(dropped, t.id)).toMatchObject({ title: t.title, priority: 'urgent' });
    });

    it('merges two edits of one task into one pending change on the first base', () => {
      const t = task();
      const state = beginEdit(beginEdit(withTask(emptyBoard, t), t.id, { title: 'A' }), t.id, {
        priority: 'low',
      });

      expect(state.pending.get(t.id)).toEqual({ base: t, fields: { title: 'A', priority: 'low' } });
    });
  });

  describe('a stale edit (412)', () => {
    const base = task({ title: 'Old', priority: 'medium', labels: ['a'] });

    it('re-applies the user’s fields the other person did not touch', () => {
      const latest = { ...base, priority: 'high' as const, version: 2 };

      expect(resolveConflict(base, { title: 'New' }, latest)).toEqual({
        reapply: { title: 'New' },
        conflicts: [],
      });
    });

    it('asks about a field both changed to different values', () => {
      const latest = { ...base, title: 'Theirs', version: 2 };

      expect(resolveConflict(base, { title: 'Mine', priority: 'low' }, latest)).toEqual({
        reapply: { priority: 'low' },
        conflicts: ['title'],
      });
    });

    it('needs nothing for a field both changed to the same value (labels compared by value)', () => {
      const latest = { ...base, labels: ['a', 'b'], version: 2 };

      expect(resolveConflict(base, { labels: ['a', 'b'] }, latest)).toEqual({
        reapply: {},
        conflicts: [],
      });
    });
  });

  it('filters by assignee, priority, label, text and due range', () => {
    const match = task({
      assigneeId: 'u1',
      priority: 'high',
      labels: ['bug'],
      title: 'Fix login',
      dueDate: '2026-12-10T09:00:00.000Z',
    });
    const others = [
      task({
        assigneeId: 'u2',
        priority: 'high',
        labels: ['bug'],
        title: 'Fix login',
        dueDate: '2026-12-10T09:00:00.000Z',
      }),
      task({
        assigneeId: 'u1',
        priority: 'low',
        labels: ['bug'],
        title: 'Fix login',
        dueDate: '2026-12-10T09:00:00.000Z',
      }),
      task({
        assigneeId: 'u1',
        priority: 'high',
        labels: [],
        title: 'Fix login',
        dueDate: '2026-12-10T09:00:00.000Z',
      }),
      task({
        assigneeId: 'u1',
        priority: 'high',
        labels: ['bug'],
        title: 'Other',
        dueDate: '2026-12-10T09:00:00.000Z',
      }),
      task({
        assigneeId: 'u1',
        priority: 'high',
        labels: ['bug'],
        title: 'Fix login',
        dueDate: '2026-12-20T09:00:00.000Z',
      }),
      task({
        assigneeId: 'u1',
        priority: 'high',
        labels: ['bug'],
        title: 'Fix login',
        dueDate: null,
      }),
    ];
    const state = withTasks(emptyBoard, [match, ...others]);

    const shown = columns(state, {
      assigneeId: 'u1',
      priority: 'high',
      label: 'bug',
      text: 'LOGIN',
      dueFrom: '2026-12-01',
      dueTo: '2026-12-10',
    }).get('pending');

    expect(shown?.map((t) => t.id)).toEqual([match.id]);
  });

  it('calls a task overdue when its due day has passed and it is still open', () => {
    const due = '2026-12-06T18:00:00.000Z';

    expect(isOverdue(task({ dueDate: due }), '2026-12-07')).toBe(true);
    expect(isOverdue(task({ dueDate: due }), '2026-12-06')).toBe(false);
    expect(isOverdue(task({ dueDate: due, status: 'completed' }), '2026-12-07')).toBe(false);
    expect(isOverdue(task({ dueDate: null }), '2026-12-07')).toBe(false);
  });
});

describe('board order', () => {
  it('orders a column by rank, by character code, then by id', () => {
    const [b, a, c, tieOne, tieTwo] = [
      task({ rank: 'aa' }),
      task({ rank: 'aZ' }),
      task({ rank: 'ab' }),
      task({ rank: 'a0' }),
      task({ rank: 'a0' }),
    ];
    const state = withTasks(emptyBoard, [b, a, c, tieTwo, tieOne]);

    expect((columns(state).get('pending') ?? []).map((t) => t.rank)).toEqual([
      'a0',
      'a0',
      'aZ',
      'aa',
      'ab',
    ]);
    expect([tieTwo, tieOne].sort(byRank)).toEqual([tieOne, tieTwo]);
  });

  it('ranks a task from an event stored before ranks existed by its creation, as the API does', () => {
    const legacy: Partial<Task> = task({ createdAt: '2026-01-01T00:00:00.000Z' });
    delete legacy.rank;

    expect(rankOf(legacy as Task)).toBe('N8232774399999');
  });

  it('places a dropped card between its new neighbours, moving no other card', () => {
    const column = ['a0', 'a1', 'a2'].map((rank) => task({ rank }));
    const [first, second, third] = column;
    if (first === undefined || second === undefined || third === undefined) throw new Error();

    const top = rankAt(column, third.id, 0);
    const middle = rankAt(column, third.id, 1);
    const bottom = rankAt(column, first.id, 2);

    expect(top < 'a0').toBe(true);
    expect(middle > 'a0' && middle < 'a1').toBe(true);
    expect(bottom > 'a2').toBe(true);
    // Dropped where it already is: still between the same neighbours.
    const same = rankAt(column, second.id, 1);
    expect(same > 'a0' && same < 'a2').toBe(true);
  });

  it('drops after two cards of one rank, before the next rank up', () => {
    const column = ['a0', 'a0', 'a1'].map((rank) => task({ rank }));
    const moving = task({ rank: 'a5' });

    const rank = rankAt([...column, moving], moving.id, 1);

    expect(rank > 'a0' && rank < 'a1').toBe(true);
  });

  it('takes an index past either end as that end', () => {
    const column = ['a0', 'a1'].map((rank) => task({ rank }));
    const moving = task({ rank: 'a5' });

    expect(rankAt(column, moving.id, 99) > 'a1').toBe(true);
    expect(rankAt(column, moving.id, -3) < 'a0').toBe(true);
  });
});
