import { Component } from 'preact';
import { useLayoutEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import { ApiClient, ApiError, type Project, StaleTask, type User } from '../api/client';
import {
  type BoardFilters,
  type BoardState,
  STATUSES,
  type StreamEnvelope,
  type Task,
  type TaskEdit,
  type TaskPriority,
  type TaskStatus,
  applyEvent,
  beginEdit,
  columns,
  editConfirmed,
  editDropped,
  emptyBoard,
  isOverdue,
  knownVersions,
  rankAt,
  resolveConflict,
  shownTask,
  withTasks,
  withoutVanished,
} from './board-state';
import { TaskPanel } from './task-panel';
import { textField } from '../app';
import { type LiveStatus, followProject } from './live-stream';
import { followProjectOverWebSocket } from './live-socket';
import { MembersDialog } from '../projects/members';
import { ProjectFollower, isProjectEvent } from '../projects/members-state';

const COLUMN_TITLES: Readonly<Record<TaskStatus, string>> = {
  pending: 'To do',
  in_progress: 'In progress',
  blocked: 'Blocked',
  completed: 'Done',
  cancelled: 'Cancelled',
};

/** An edit refused on fields both people changed: the person's values for those fields. */
interface EditConflict {
  readonly taskId: string;
  readonly title: string;
  readonly mine: TaskEdit;
}

/** Cards shown per column at first, and added by each "Show more". */
const PAGE = 50;

interface CardProps {
  readonly task: Task;
  readonly saving: boolean;
  /** A dragged card would land just before this one. */
  readonly dropBefore: boolean;
  readonly canEdit: boolean;
  readonly assignee: string | null;
  readonly today: string;
  /** A drag of this card began (its id), or ended anywhere (null). */
  readonly onDragStart: (taskId: string | null) => void;
  readonly onKey: (task: Task, event: KeyboardEvent) => void;
  readonly onOpen: (taskId: string) => void;
}

/**
 * One card. Re-rendered only when what it shows changes: a live event replaces one task object
 * and leaves the others as they were, so a board of a thousand cards diffs one card per event.
 * (The handlers are read when an event fires, so new handler identities need no render.)
 */
class Card extends Component<CardProps> {
  override shouldComponentUpdate(next: CardProps): boolean {
    const now = this.props;
    return (
      next.task !== now.task ||
      next.saving !== now.saving ||
      next.dropBefore !== now.dropBefore ||
      next.canEdit !== now.canEdit ||
      next.assignee !== now.assignee ||
      next.today !== now.today
    );
  }

  override render() {
    const { task, saving, dropBefore, canEdit, assignee, today } = this.props;
    const overdue = isOverdue(task, today);
    return (
      <li
        class={`card priority-${task.priority}${saving ? ' saving' : ''}${dropBefore ? ' drop-before' : ''}`}
        data-task-id={task.id}
        tabIndex={0}
        draggable={canEdit}
        aria-label={`${task.title}, ${task.priority} priority`}
        aria-describedby={canEdit ? 'move-hint' : undefined}
        onDragStart={() => this.props.onDragStart(task.id)}
        onDragEnd={() => this.props.onDragStart(null)}
        onKeyDown={(e) => this.props.onKey(task, e)}
      >
        <button
          type="button"
          class="title"
          aria-label={`Open ${task.title}`}
          onClick={() => this.props.onOpen(task.id)}
        >
          {task.title}
        </button>
        <span class="meta">
          <span class="priority">{task.priority}</span>
          {assignee !== null && <span class="assignee">{assignee}</span>}
          {task.dueDate !== null && (
            <span class={overdue ? 'due overdue' : 'due'}>
              {overdue ? 'overdue ' : 'due '}
              {task.dueDate.slice(0, 10)}
            </span>
          )}
          {task.labels.map((label) => (
            <span key={label} class="label">
              {label}
            </span>
          ))}
        </span>
      </li>
    );
  }
}

type Action =
  | { kind: 'page'; tasks: readonly Task[] }
  | { kind: 'events'; events: readonly StreamEnvelope[] }
  | { kind: 'edit'; taskId: string; fields: TaskEdit }
  | { kind: 'confirmed'; task: Task }
  | { kind: 'dropped'; taskId: string }
  | { kind: 'reread'; before: ReadonlyMap<string, number>; read: ReadonlySet<string> };

function reduce(state: BoardState, action: Action): BoardState {
  switch (action.kind) {
    case 'page':
      return withTasks(state, action.tasks);
    case 'events':
      return action.events.reduce(applyEvent, state);
    case 'edit':
      return beginEdit(state, action.taskId, action.fields);
    case 'confirmed':
      return editConfirmed(state, action.task);
    case 'dropped':
      return editDropped(state, action.taskId);
    case 'reread':
      return withoutVanished(state, action.before, action.read);
  }
}

function filtersOf(query: URLSearchParams): BoardFilters {
  const value = (name: string) => query.get(name) ?? undefined;
  return {
    assigneeId: value('assignee'),
    priority: value('priority') as TaskPriority | undefined,
    label: value('label'),
    text: value('q'),
    dueFrom: value('dueFrom'),
    dueTo: value('dueTo'),
  };
}

function setFilter(projectId: string, query: URLSearchParams, name: string, value: string): void {
  const next = new URLSearchParams(query);
  if (value === '') next.delete(name);
  else next.set(name, value);
  const text = next.toString();
  location.hash = `#/projects/${projectId}${text === '' ? '' : `?${text}`}`;
}

const today = (): string => new Date().toISOString().slice(0, 10);

/** Resolves at the browser's next frame. */
const nextFrame = (): Promise<void> =>
  new Promise((resolve) => requestAnimationFrame(() => resolve()));

export function Board(props: {
  api: ApiClient;
  projectId: string;
  me: User;
  query: URLSearchParams;
  /** The WebSocket stage to follow the project on (config.json's `liveUrl`); else the API's SSE. */
  liveUrl?: string | undefined;
}) {
  const { api, projectId, me, query, liveUrl } = props;
  const [state, dispatch] = useReducer(reduce, emptyBoard);
  // The state as last rendered, for a re-read to know which tasks it must find again.
  const rendered = useRef(state);
  rendered.current = state;
  const [project, setProject] = useState<Project | null>(null);
  const [live, setLive] = useState<LiveStatus>('connecting');
  const [notice, setNotice] = useState<string | null>(null);
  // An edit whose fields someone else changed meanwhile: the person chooses whose values stay.
  const [conflict, setConflict] = useState<EditConflict | null>(null);
  const [dragged, setDragged] = useState<string | null>(null);
  // Where the dragged card would land: a column and an index among its shown cards.
  const [dropAt, setDropAt] = useState<{ status: TaskStatus; index: number } | null>(null);
  const [openTask, setOpenTask] = useState<string | null>(null);
  const [membersOpen, setMembersOpen] = useState(false);
  // The project from reads and from its stream's member events, whichever is newer: a role
  // changed live makes the board editable or read-only without a reload.
  const follower = useMemo(
    () => new ProjectFollower(() => api.project(projectId), setProject),
    [projectId],
  );
  const [people, setPeople] = useState<ReadonlyMap<string, string>>(new Map());
  const [shownPerColumn, setShownPerColumn] = useState<Partial<Record<TaskStatus, number>>>({});
  const day = today();

  // A layout effect: the reads start right after the first render, not after its paint.
  useLayoutEffect(() => {
    let stop: (() => void) | null = null;
    // Set when the board closes (another project, sign-out) while pages are still loading.
    const run = { cancelled: false };
    // A function: TypeScript would keep the field narrowed across the awaits.
    const closed = () => run.cancelled;
    // Live events are applied once per frame, however many arrive in it.
    let buffered: StreamEnvelope[] = [];
    const flush = () => {
      const events = buffered;
      buffered = [];
      dispatch({ kind: 'events', events });
    };
    const onEvent = (event: StreamEnvelope) => {
      if (isProjectEvent(event)) follower.apply(event);
      else if (buffered.push(event) === 1) requestAnimationFrame(flush);
    };
    // Each re-read supersedes the one before it (a reconnect while pages were being read).
    let passes = 0;
    const catchUp = async (): Promise<void> => {
      const pass = (passes += 1);
      const before = knownVersions(rendered.current);
      const read = new Set<string>();
      // A membership change committed before the stream's opening reached no event.
      follower.refresh();
      let cursor: string | null = null;
      do {
        const page = await api.tasks(projectId, cursor);
        // One page a frame: the pages of a long board never hold up the paint of the first.
        await nextFrame();
        if (closed() || pass !== passes) return;
        dispatch({ kind: 'page', tasks: page.items });
        for (const task of page.items) read.add(task.id);
        cursor = page.nextCursor;
      } while (cursor !== null);
      // Events still waiting for the next frame count as changes made during the re-read.
      if (buffered.length > 0) flush();
      dispatch({ kind: 'reread', before, read });
    };
    void (async () => {
      try {
        api.users().then(
          (users) => setPeople(new Map(users.map((u) => [u.id, u.name]))),
          () => undefined,
        );
        // The first page is read at once, beside the project and the stream ticket, and shown as
        // soon as it arrives: the first screen waits for neither the project nor the stream. (Its
        // failure is the re-read's below, which reads the same page again.)
        api.tasks(projectId, null).then(
          (page) => {
            if (!closed()) dispatch({ kind: 'page', tasks: page.items });
          },
          () => undefined,
        );
        const [found, url] = await Promise.all([
          api.project(projectId),
          // Over WebSocket the follower asks for its tickets itself, again when one is refused.
          liveUrl === undefined ? api.streamUrl(projectId) : null,
        ]);
        follower.take(found);
        if (closed()) return;
        // SSE resumes where it left off, so one re-read after its first opening is enough; the
        // WebSocket API replays nothing, so every opening is followed by a complete re-read.
        const opened = new Promise<LiveStatus>((resolve) => {
          const onStatus = (status: LiveStatus) => {
            setLive(status);
            if (status !== 'connecting') resolve(status);
            if (status === 'live' && url === null)
              catchUp().catch((failure: unknown) => {
                setNotice(failure instanceof ApiError ? failure.message : String(failure));
              });
          };
          stop =
            url === null
              ? followProjectOverWebSocket(
                  {
                    liveUrl: liveUrl ?? '',
                    projectId,
                    ticket: () => api.streamTicket(projectId),
                    // Not a member any more, or no longer signed in: no retry will do.
                    isFinal: (failure) =>
                      failure instanceof ApiError && [401, 403, 404].includes(failure.status),
                  },
                  onEvent,
                  onStatus,
                )
              : followProject(url, onEvent, onStatus);
        });
        // Then live first, pages after: once the stream is open every later commit reaches it,
        // and an event newer than a page wins (versions). The first page is read again, since a
        // change committed between its early read and the stream's opening reached neither.
        // (A WebSocket that opened has started its own re-read; one that did not yet still
        // shows every page.)
        const first = await opened;
        if (url !== null || first !== 'live') await catchUp();
      } catch (failure) {
        setNotice(failure instanceof ApiError ? failure.message : String(failure));
      }
    })();
    return () => {
      run.cancelled = true;
      stop?.();
    };
  }, [projectId]);

  const role = project?.members.find((member) => member.userId === me.id)?.role ?? null;
  const canEdit = role === 'owner' || role === 'editor';
  const filters = useMemo(() => filtersOf(query), [query.toString()]);
  const shown = columns(state, filters);
  const nameOf = (userId: string | null): string =>
    userId === null
      ? 'Taskflow'
      : userId === me.id
        ? 'you'
        : (people.get(userId) ?? userId.slice(0, 8));
  const opened = openTask === null ? undefined : shownTask(state, openTask);

  /** Shows the edit at once; on a stale version, re-applies it on the latest or says why not. */
  const edit = async (task: Task, fields: TaskEdit): Promise<void> => {
    if (!canEdit) return;
    dispatch({ kind: 'edit', taskId: task.id, fields });
    const base = state.pending.get(task.id)?.base ?? task;
    try {
      dispatch({ kind: 'confirmed', task: await api.updateTask(task.id, fields, base.version) });
    } catch (failure) {
      if (failure instanceof StaleTask) {
        const { reapply, conflicts } = resolveConflict(base, fields, failure.latest);
        dispatch({ kind: 'dropped', taskId: task.id });
        dispatch({ kind: 'page', tasks: [failure.latest] });
        // The fields only the person changed go on at once; for the others, they are asked.
        if (conflicts.length > 0)
          setConflict({
            taskId: task.id,
            title: failure.latest.title,
            mine: Object.fromEntries(conflicts.map((field) => [field, fields[field]])),
          });
        if (Object.keys(reapply).length > 0) await edit(failure.latest, reapply);
        return;
      }
      dispatch({ kind: 'dropped', taskId: task.id });
      setNotice(failure instanceof ApiError ? failure.message : String(failure));
    }
  };

  const move = (task: Task, status: TaskStatus) => {
    if (task.status !== status) void edit(task, { status });
  };

  /**
   * Puts the task at `index` of `status`'s shown cards (counted with the task where it is now):
   * a new rank between its new neighbours, and the status if the column changes.
   */
  const place = (task: Task, status: TaskStatus, index: number) => {
    const column = shown.get(status) ?? [];
    const from = column.findIndex((card) => card.id === task.id);
    const at = from !== -1 && from < index ? index - 1 : index;
    if (from !== -1 && at === from) return;
    const rank = rankAt(column, task.id, at);
    void edit(task, task.status === status ? { rank } : { status, rank });
  };

  const onCardKey = (task: Task, event: KeyboardEvent) => {
    if (!event.altKey) return;
    const at = STATUSES.indexOf(task.status);
    const row = (shown.get(task.status) ?? []).findIndex((card) => card.id === task.id);
    const to =
      event.key === 'ArrowRight'
        ? STATUSES[at + 1]
        : event.key === 'ArrowLeft'
          ? STATUSES[at - 1]
          : undefined;
    if (to !== undefined) {
      event.preventDefault();
      move(task, to);
    } else if (event.key === 'ArrowUp' && row > 0) {
      event.preventDefault();
      place(task, task.status, row - 1);
    } else if (event.key === 'ArrowDown' && row !== -1) {
      event.preventDefault();
      // Past the card below it: index row + 2 counted with the task where it is now.
      place(task, task.status, row + 2);
    }
  };

  /** The index among `status`'s shown cards a drag over `event` points at. */
  const dropIndex = (status: TaskStatus, event: DragEvent): number => {
    const visible = (shown.get(status) ?? []).slice(0, shownPerColumn[status] ?? PAGE);
    const over = (event.target as Element | null)?.closest('li.card');
    const id = over?.getAttribute('data-task-id');
    const index = visible.findIndex((card) => card.id === id);
    if (over === null || over === undefined || index === -1) return visible.length;
    const box = over.getBoundingClientRect();
    return event.clientY > box.top + box.height / 2 ? index + 1 : index;
  };

  const addTask = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const title = textField(form, 'title');
    try {
      dispatch({ kind: 'confirmed', task: await api.createTask(projectId, title) });
      form.reset();
    } catch (failure) {
      setNotice(failure instanceof ApiError ? failure.message : String(failure));
    }
  };

  // Asked where the person is: in the task panel when it is open on that task, else on the board.
  const conflictPrompt = conflict !== null && (
    <p role="alert" class="notice">
      Someone else changed {Object.keys(conflict.mine).join(', ')} of “{conflict.title}” while you
      were editing: their change is shown.{' '}
      <button type="button" onClick={() => setConflict(null)}>
        Keep theirs
      </button>{' '}
      <button
        type="button"
        onClick={() => {
          const latest = shownTask(state, conflict.taskId);
          setConflict(null);
          if (latest !== undefined) void edit(latest, conflict.mine);
        }}
      >
        Use mine
      </button>
    </p>
  );

  return (
    <section class="board" aria-labelledby="board-title">
      <div class="board-head">
        <h1 id="board-title">{project?.name ?? 'Board'}</h1>
        <span class={`live live-${live}`} role="status" aria-live="polite">
          {live === 'live'
            ? 'Live'
            : live === 'offline'
              ? 'Offline: reconnecting…'
              : live === 'ended'
                ? 'Stream ended: reload the page'
                : 'Connecting…'}
        </span>
        {!canEdit && project !== null && (
          <span class="muted">Read only ({role ?? 'no access'})</span>
        )}
        {project !== null && (
          <button type="button" aria-haspopup="dialog" onClick={() => setMembersOpen(true)}>
            Members ({project.members.length})
          </button>
        )}
      </div>
      {conflict !== null && conflict.taskId !== opened?.id && conflictPrompt}
      {notice !== null && (
        <p role="alert" class="notice">
          {notice}{' '}
          <button type="button" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </p>
      )}
      <form class="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input
            type="search"
            value={filters.text ?? ''}
            onChange={(e) => setFilter(projectId, query, 'q', e.currentTarget.value)}
          />
        </label>
        <label>
          Priority
          <select
            value={filters.priority ?? ''}
            onChange={(e) => setFilter(projectId, query, 'priority', e.currentTarget.value)}
          >
            <option value="">any</option>
            {['low', 'medium', 'high', 'urgent'].map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Label
          <input
            value={filters.label ?? ''}
            onChange={(e) => setFilter(projectId, query, 'label', e.currentTarget.value)}
          />
        </label>
        <label>
          Assignee
          <select
            value={filters.assigneeId ?? ''}
            onChange={(e) => setFilter(projectId, query, 'assignee', e.currentTarget.value)}
          >
            <option value="">anyone</option>
            {(project?.members ?? []).map((member) => (
              <option key={member.userId} value={member.userId}>
                {nameOf(member.userId)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Due from
          <input
            type="date"
            value={filters.dueFrom ?? ''}
            onChange={(e) => setFilter(projectId, query, 'dueFrom', e.currentTarget.value)}
          />
        </label>
        <label>
          Due to
          <input
            type="date"
            value={filters.dueTo ?? ''}
            onChange={(e) => setFilter(projectId, query, 'dueTo', e.currentTarget.value)}
          />
        </label>
      </form>
      {canEdit && (
        <form class="inline" onSubmit={(event) => void addTask(event)}>
          <label>
            New task
            <input name="title" required maxLength={200} />
          </label>
          <button type="submit">Add</button>
        </form>
      )}
      <div class="columns">
        {STATUSES.map((status) => (
          <section
            key={status}
            class="column"
            aria-label={COLUMN_TITLES[status]}
            data-status={status}
            onDragOver={(e) => {
              if (!canEdit || dragged === null) return;
              e.preventDefault();
              const index = dropIndex(status, e);
              if (dropAt?.status !== status || dropAt.index !== index) setDropAt({ status, index });
            }}
            onDragLeave={(e) => {
              if (!(e.currentTarget as Element).contains(e.relatedTarget as Node | null))
                setDropAt(null);
            }}
            onDrop={(e) => {
              e.preventDefault();
              const task = dragged === null ? undefined : shownTask(state, dragged);
              setDragged(null);
              setDropAt(null);
              if (task !== undefined) place(task, status, dropIndex(status, e));
            }}
          >
            <h2>
              {COLUMN_TITLES[status]} <span class="count">{shown.get(status)?.length ?? 0}</span>
            </h2>
            <ul>
              {(shown.get(status) ?? []).slice(0, shownPerColumn[status] ?? PAGE).map((task, i) => (
                <Card
                  key={task.id}
                  task={task}
                  saving={state.pending.has(task.id)}
                  dropBefore={dropAt?.status === status && dropAt.index === i}
                  canEdit={canEdit}
                  assignee={task.assigneeId === null ? null : nameOf(task.assigneeId)}
                  today={day}
                  onDragStart={(id) => {
                    setDragged(id);
                    if (id === null) setDropAt(null);
                  }}
                  onKey={onCardKey}
                  onOpen={setOpenTask}
                />
              ))}
            </ul>
            {dropAt?.status === status &&
              dropAt.index >=
                Math.min(shown.get(status)?.length ?? 0, shownPerColumn[status] ?? PAGE) && (
                <div class="drop-end" aria-hidden="true" />
              )}
            {(shown.get(status)?.length ?? 0) > (shownPerColumn[status] ?? PAGE) && (
              <button
                type="button"
                class="more"
                onClick={() =>
                  setShownPerColumn((all) => ({ ...all, [status]: (all[status] ?? PAGE) + PAGE }))
                }
              >
                Show{' '}
                {String(
                  Math.min(
                    PAGE,
                    (shown.get(status)?.length ?? 0) - (shownPerColumn[status] ?? PAGE),
                  ),
                )}{' '}
                more
              </button>
            )}
          </section>
        ))}
      </div>
      {membersOpen && project !== null && (
        <MembersDialog
          api={api}
          project={project}
          meId={me.id}
          onProject={(changed) => follower.take(changed)}
          onClose={() => setMembersOpen(false)}
        />
      )}
      {opened !== undefined && project !== null && (
        <TaskPanel
          key={opened.id}
          api={api}
          task={opened}
          members={project.members}
          canEdit={canEdit}
          nameOf={nameOf}
          onSave={edit}
          onClose={() => setOpenTask(null)}
        >
          {conflict?.taskId === opened.id && conflictPrompt}
        </TaskPanel>
      )}
      {canEdit && (
        <p id="move-hint" class="muted">
          Drag a card to another column or place, or focus it and press Alt+← / Alt+→ (column) or
          Alt+↑ / Alt+↓ (order).
        </p>
      )}
    </section>
  );
}
