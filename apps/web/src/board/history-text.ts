import type { HistoryEntry } from '../api/client';

/** "2 min ago", "3 h ago", "5 d ago": how long before `now`. */
export function ago(at: string, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(at)) / 1000));
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${String(Math.floor(seconds / 60))} min ago`;
  if (seconds < 86_400) return `${String(Math.floor(seconds / 3600))} h ago`;
  return `${String(Math.floor(seconds / 86_400))} d ago`;
}

const FIELD_NAMES: Readonly<Record<string, string>> = {
  assigneeId: 'assignee',
  dueDate: 'due date',
  completedAt: 'completion',
  deletedAt: 'deletion',
};

/**
 * One history entry as a sentence per field: "Bob changed priority from medium to high · 2 min
 * ago". `nameOf` turns user ids (the actor, an assignee) into names.
 */
export function describeHistory(
  entry: HistoryEntry,
  nameOf: (userId: string | null) => string,
  now: number = Date.now(),
): string[] {
  const who = nameOf(entry.actorId);
  const when = ago(entry.at, now);
  if (entry.action === 'created') return [`${who} created the task · ${when}`];
  if (entry.action === 'deleted') return [`${who} deleted the task · ${when}`];
  const show = (field: string, value: string | string[] | null): string => {
    if (value === null || (Array.isArray(value) && value.length === 0)) return 'nothing';
    if (Array.isArray(value)) return value.join(', ');
    if (field === 'assigneeId') return nameOf(value);
    if (field === 'dueDate') return value.slice(0, 10);
    return value.length > 60 ? `${value.slice(0, 57)}…` : value;
  };
  return Object.entries(entry.changes).map(([field, change]) =>
    // An order key means nothing to a reader: a rank change is a move within the column.
    field === 'rank'
      ? `${who} moved the card · ${when}`
      : `${who} changed ${FIELD_NAMES[field] ?? field} from ${show(field, change.oldValue)} to ${show(field, change.newValue)} · ${when}`,
  );
}
