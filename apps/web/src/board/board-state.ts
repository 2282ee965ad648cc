import { generateKeyBetween } from 'fractional-indexing';
import type { components } from '../api/schema';

export type Task = components['schemas']['Task'];
export type TaskStatus = components['schemas']['TaskStatus'];
export type TaskPriority = components['schemas']['TaskPriority'];

/** The board's columns, in order: one per status. */
export const STATUSES: readonly TaskStatus[] = [
  'pending',
  'in_progress',
  'blocked',
  'completed',
  'cancelled',
];

/** The fields a person edits on a card or in the task panel. */
export type EditableField =
  'title' | 'description' | 'status' | 'priority' | 'assigneeId' | 'dueDate' | 'labels' | 'rank';
export type TaskEdit = Partial<Pick<Task, EditableField>>;

/** One event of a project's stream, as the SSE `data:` carries it (the versioned envelope). */
export interface StreamEnvelope {
  readonly id: string;
  readonly type: string;
  readonly aggregateId: string;
  readonly aggregateVersion: number;
  readonly data: unknown;
}

/** An edit shown before the server confirmed it, and the version it was made on. */
export interface PendingEdit {
  readonly base: Task;
  readonly fields: TaskEdit;
}

/**
 * What the board knows: the server's tasks (each at the newest version seen, from a page read or
 * the stream, whichever came last), tasks known deleted (so that a late event cannot bring one
 * back), and the edits still waiting for the server.
 */
export interface BoardState {
  readonly tasks: ReadonlyMap<string, Task>;
  readonly deleted: ReadonlyMap<string, number>;
  readonly pending: ReadonlyMap<string, PendingEdit>;
}

export const emptyBoard: BoardState = { tasks: new Map(), deleted: new Map(), pending: new Map() };

/** Known at `version` or later: a copy at `version` adds nothing. */
function knownAt(state: BoardState, id: string, version: number): boolean {
  return (state.tasks.get(id)?.version ?? state.deleted.get(id) ?? 0) >= version;
}

/**
 * Takes a task the server answered (a page, a read, a write's response): kept only if newer than
 * what the board has, so that a page read before an event cannot undo it.
 */
export function withTask(state: BoardState, task: Task): BoardState {
  if (knownAt(state, task.id, task.version)) return state;
  const tasks = new Map(state.tasks);
  const deleted = new Map(state.deleted);
  if (task.deletedAt === null) tasks.set(task.id, task);
  else {
    tasks.delete(task.id);
    deleted.set(task.id, task.version);
  }
  return { ...state, tasks, deleted };
}

export function withTasks(state: BoardState, tasks: readonly Task[]): BoardState {
  return tasks.reduce(withTask, state);
}

function isTask(value: unknown): value is Task {
  if (typeof value !== 'object' || value === null) return false;
  const task = value as Partial<Task>;
  return typeof task.id === 'string' && typeof task.version === 'number';
}

/**
 * Applies one stream event. Task events carry the task as it is after them (`task.created` and
 * `task.updated`: `data.task`); `task.deleted` removes the card. A repeated or older event
 * changes nothing (the version says so); events of other kinds leave the tasks as they are.
 */
export function applyEvent(state: BoardState, event: StreamEnvelope): BoardState {
  if (event.type === 'task.created' || event.type === 'task.updated') {
    const task = (event.data as { task?: unknown }).task;
    return isTask(task) ? withTask(state, task) : state;
  }
  if (event.type === 'task.deleted') {
    if (knownAt(state, event.aggregateId, event.aggregateVersion)) return state;
    const tasks = new Map(state.tasks);
    tasks.delete(event.aggregateId);
    const deleted = new Map(state.deleted).set(event.aggregateId, event.aggregateVersion);
    const pending = new Map(state.pending);
    pending.delete(event.aggregateId);
    return { tasks, deleted, pending };
  }
  return state;
}

/** The version of every task the board holds: what a complete re-read is checked against. */
export function knownVersions(state: BoardState): ReadonlyMap<string, number> {
  return new Map([...state.tasks].map(([id, task]) => [id, task.version]));
}

/**
 * Ends a complete re-read of the project's tasks (every page) after a reconnect with no resume:
 * a task the board held when the re-read began (`before`, from {@link knownVersions}), absent
 * from every page read (`read`: their ids), and still at the version it had then (no live event
 * or write changed it meanwhile), was deleted while the board was offline, and goes. A task
 * created during the re-read is not in `before` and stays; one changed meanwhile stays, since
 * a change proves it exists (it may have moved between pages while they were read). A task
 * taken away is remembered as deleted at the version it had, so an older copy cannot bring it
 * back, while a newer event about it still can.
 */
export function withoutVanished(
  state: BoardState,
  before: ReadonlyMap<string, number>,
  read: ReadonlySet<string>,
): BoardState {
  const gone = [...before].filter(
    ([id, version]) => !read.has(id) && state.tasks.get(id)?.version === version,
  );
  if (gone.length === 0) return state;
  const tasks = new Map(state.tasks);
  const deleted = new Map(state.deleted);
  const pending = new Map(state.pending);
  for (const [id, version] of gone) {
    tasks.delete(id);
    deleted.set(id, version);
    pending.delete(id);
  }
  return { tasks, deleted, pending };
}

/** Shows `fields` on the task at once, before the server answers. */
export function beginEdit(state: BoardState, taskId: string, fields: TaskEdit): BoardState {
  const base = state.tasks.get(taskId);
  if (base === undefined) return state;
  const earlier = state.pending.get(taskId);
  const pending = new Map(state.pending).set(taskId, {
    base: earlier?.base ?? base,
    fields: { ...earlier?.fields, ...fields },
  });
  return { ...state, pending };
}

/** The server took the edit: its answer replaces the optimistic card. */
export function editConfirmed(state: BoardState, task: Task): BoardState {
  const pending = new Map(state.pending);
  pending.delete(task.id);
  return withTask({ ...state, pending }, task);
}

/** The edit was refused or abandoned: the card shows the server's task again. */
export function editDropped(state: BoardState, taskId: string): BoardState {
  if (!state.pending.has(taskId)) return state;
  const pending = new Map(state.pending);
  pending.delete(taskId);
  return { ...state, pending };
}

/** A task as the board shows it: the server's, with the edit waiting for it, if any. */
export function shownTask(state: BoardState, taskId: string): Task | undefined {
  const task = state.tasks.get(taskId);
  const edit = state.pending.get(taskId);
  return task === undefined || edit === undefined ? task : { ...task, ...edit.fields };
}

/** Filters kept in the URL. */
export interface BoardFilters {
  readonly assigneeId?: string | undefined;
  readonly priority?: TaskPriority | undefined;
  readonly label?: string | undefined;
  readonly text?: string | undefined;
  readonly dueFrom?: string | undefined;
  readonly dueTo?: string | undefined;
}

function matches(task: Task, filters: BoardFilters): boolean {
  if (filters.assigneeId !== undefined && task.assigneeId !== filters.assigneeId) return false;
  if (filters.priority !== undefined && task.priority !== filters.priority) return false;
  if (filters.label !== undefined && !task.labels.includes(filters.label)) return false;
  if (filters.text !== undefined && filters.text !== '') {
    const needle = filters.text.toLowerCase();
    if (!`${task.title}\n${task.description}`.toLowerCase().includes(needle)) return false;
  }
  // Due dates are instants; the range is of days (YYYY-MM-DD), both ends included.
  const due = task.dueDate?.slice(0, 10) ?? null;
  if (filters.dueFrom !== undefined && (due === null || due < filters.dueFrom)) return false;
  if (filters.dueTo !== undefined && (due === null || due > filters.dueTo)) return false;
  return true;
}

/** True when the task was due before `today` (YYYY-MM-DD) and is still open. */
export function isOverdue(task: Task, today: string): boolean {
  const open = task.status !== 'completed' && task.status !== 'cancelled';
  return open && task.dueDate !== null && task.dueDate.slice(0, 10) < today;
}

/**
 * The rank of a task as the API orders it. An event stored before tasks had ranks carries none:
 * the API ranks such a task by its creation instant (newest first), and so does the board.
 */
export function rankOf(task: Task): string {
  const rank = (task as { rank?: string }).rank;
  return rank ?? `N${String(9_999_999_999_999 - Date.parse(task.createdAt)).padStart(13, '0')}`;
}

/** The API's order within a column: rank (compared by character code), then id. */
export function byRank(a: Task, b: Task): number {
  const [ra, rb] = [rankOf(a), rankOf(b)];
  if (ra !== rb) return ra < rb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The rank that puts `taskId` at `index` of `column` (the cards as shown, in order), counted
 * without the task itself: between its new neighbours, so no other card moves. Cards hidden by a
 * filter may lie between those two; the task lands among them, still between the two it was
 * dropped between. Two neighbours of one rank (two people dropped cards into the same gap at
 * once) have no key between them: the task goes just after both (before the next rank up).
 */
export function rankAt(column: readonly Task[], taskId: string, index: number): string {
  const others = column.filter((task) => task.id !== taskId);
  const at = Math.max(0, Math.min(index, others.length));
  const before = others[at - 1];
  const low = before === undefined ? null : rankOf(before);
  const high =
    others
      .slice(at)
      .map(rankOf)
      .find((rank) => low === null || rank > low) ?? null;
  return generateKeyBetween(low, high);
}

/** The cards of each column in the API's board order, as shown (pending edits applied) and filtered. */
export function columns(
  state: BoardState,
  filters: BoardFilters = {},
): ReadonlyMap<TaskStatus, readonly Task[]> {
  const byStatus = new Map<TaskStatus, Task[]>(STATUSES.map((status) => [status, []]));
  for (const id of state.tasks.keys()) {
    const task = shownTask(state, id);
    if (task !== undefined && matches(task, filters)) byStatus.get(task.status)?.push(task);
  }
  for (const cards of byStatus.values()) cards.sort(byRank);
  return byStatus;
}

/** How an edit answered 412 goes on, on the newest version of the task. */
export interface ConflictResolution {
  /** The user's fields nobody else changed meanwhile: sent again on the latest version. */
  readonly reapply: TaskEdit;
  /** Fields both changed, to different values: the user is asked. */
  readonly conflicts: readonly EditableField[];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Splits a stale edit against the task as it now is, the way the API's field-level merge does:
 * a field the other person left as it was on the edit's base takes the user's value; one they
 * changed to what the user wants needs nothing; one they changed otherwise is a conflict.
 */
export function resolveConflict(base: Task, edit: TaskEdit, latest: Task): ConflictResolution {
  const reapply: Record<string, unknown> = {};
  const conflicts: EditableField[] = [];
  for (const field of Object.keys(edit) as EditableField[]) {
    const mine = edit[field];
    if (same(latest[field], mine)) continue;
    if (same(latest[field], base[field])) reapply[field] = mine;
    else conflicts.push(field);
  }
  return { reapply, conflicts };
}
