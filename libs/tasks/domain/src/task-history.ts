import {
  TASK_DIFFED_FIELDS,
  type FieldChange,
  type FieldValue,
  type TaskEvent,
  type TaskField,
} from './task.events';

/** What a version of a task did. */
export type TaskHistoryAction = 'created' | 'updated' | 'deleted';

/** One audit row: one field's change in one version (creation is one row for the whole task). */
export interface TaskAuditRow {
  readonly taskId: string;
  readonly version: number;
  /** A task field, or `*` for the creation row whose new value is the initial task. */
  readonly field: TaskField | '*';
  readonly oldValue: FieldValue | Record<string, FieldValue>;
  readonly newValue: FieldValue | Record<string, FieldValue>;
  readonly actorId: string | null;
  readonly at: string;
}

/** One entry of a task's history: everything one version changed. */
export interface TaskHistoryEntry {
  readonly version: number;
  readonly action: TaskHistoryAction;
  readonly actorId: string | null;
  readonly at: string;
  readonly changes: Partial<Record<TaskField, FieldChange>>;
}

/**
 * The audit rows a task's pending events call for: creation as one row (version 1), then one
 * row per changed field per version. Other events (status_changed, assigned, completed) repeat
 * what `task.updated` already records and add no row.
 */
export function auditRowsOf(events: readonly TaskEvent[]): TaskAuditRow[] {
  const rows: TaskAuditRow[] = [];
  for (const event of events) {
    const base = { taskId: event.aggregateId, version: event.aggregateVersion, actorId: event.actor, at: event.occurredAt };
    if (event.type === 'task.created') {
      const initial: Record<string, FieldValue> = {};
      for (const field of TASK_DIFFED_FIELDS) initial[field] = event.data.task[field];
      rows.push({ ...base, field: '*', oldValue: null, newValue: initial });
    } else if (event.type === 'task.updated') {
      for (const [field, change] of Object.entries(event.data.changes) as [TaskField, FieldChange][]) {
        rows.push({ ...base, field, oldValue: change.oldValue, newValue: change.newValue });
      }
    } else if (event.type === 'task.deleted') {
      rows.push({ ...base, field: 'deletedAt', oldValue: null, newValue: event.data.deletedAt });
    }
  }
  return rows;
}

/** Folds audit rows (any order) into history entries, oldest version first. */
export function historyOf(rows: readonly TaskAuditRow[]): TaskHistoryEntry[] {
  const byVersion = new Map<number, { action: TaskHistoryAction; actorId: string | null; at: string; changes: Partial<Record<TaskField, FieldChange>> }>();
  for (const row of [...rows].sort((a, b) => a.version - b.version)) {
    let entry = byVersion.get(row.version);
    if (!entry) {
      entry = { action: 'updated', actorId: row.actorId, at: row.at, changes: {} };
      byVersion.set(row.version, entry);
    }
    if (row.field === '*') {
      entry.action = 'created';
      const initial = row.newValue as Record<string, FieldValue>;
      for (const field of TASK_DIFFED_FIELDS) {
        entry.changes[field] = { oldValue: null, newValue: initial[field] ?? null };
      }
    } else {
      if (row.field === 'deletedAt') entry.action = 'deleted';
      entry.changes[row.field] = { oldValue: row.oldValue as FieldValue, newValue: row.newValue as FieldValue };
    }
  }
  return [...byVersion].map(([version, entry]) => ({ version, ...entry }));
}
