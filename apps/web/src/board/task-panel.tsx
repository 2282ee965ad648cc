import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import {
  type ApiClient,
  ApiError,
  type Comment,
  type HistoryEntry,
  type Member,
} from '../api/client';
import { textField } from '../app';
import { ago, describeHistory } from './history-text';
import {
  STATUSES,
  type Task,
  type TaskEdit,
  type TaskPriority,
  type TaskStatus,
} from './board-state';

const PRIORITIES: readonly TaskPriority[] = ['low', 'medium', 'high', 'urgent'];

/**
 * The fields of the form that differ from the task: what a save sends. (The selects mark their
 * option `selected`: Preact has no `defaultValue` for a select, and a `value` would be forced
 * back on every render, undoing the person's choice.)
 */
export function changedFields(task: Task, form: HTMLFormElement): TaskEdit {
  const labels = textField(form, 'labels')
    .split(',')
    .map((label) => label.trim())
    .filter((label) => label !== '');
  const due = textField(form, 'dueDate');
  const assignee = textField(form, 'assigneeId');
  const next: TaskEdit = {
    title: textField(form, 'title').trim(),
    description: textField(form, 'description'),
    status: textField(form, 'status') as TaskStatus,
    priority: textField(form, 'priority') as TaskPriority,
    assigneeId: assignee === '' ? null : assignee,
    dueDate: due === '' ? null : `${due}T00:00:00.000Z`,
    labels,
  };
  const changed: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(next)) {
    const current: unknown = task[field as keyof Task];
    const same =
      field === 'dueDate'
        ? (task.dueDate?.slice(0, 10) ?? '') === due
        : JSON.stringify(current) === JSON.stringify(value);
    if (!same) changed[field] = value;
  }
  return changed;
}

export function TaskPanel(props: {
  api: ApiClient;
  task: Task;
  members: readonly Member[];
  canEdit: boolean;
  nameOf: (userId: string | null) => string;
  onSave: (task: Task, fields: TaskEdit) => Promise<void>;
  onClose: () => void;
  /** What the board must ask about this task (an edit both people made), shown at the top. */
  children?: ComponentChildren;
}) {
  const { api, task, members, canEdit, nameOf, onSave, onClose, children } = props;
  const [comments, setComments] = useState<Comment[]>([]);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [error, setError] = useState<string | null>(null);
  // The task as it was when the person started typing: the form keeps their input while others'
  // changes arrive, and a save is made on this version (If-Match), merged by the board on a 412.
  const [frozen, setFrozen] = useState<Task | null>(null);
  const base = frozen ?? task;
  const dialog = useRef<HTMLDivElement>(null);

  // Focus goes into the panel before it is first painted, and back to what opened it (the card's
  // title) when it closes.
  useLayoutEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.current?.querySelector<HTMLElement>('input, textarea, button')?.focus();
    return () => {
      if (opener?.isConnected === true) opener.focus();
    };
  }, [task.id]);
  useEffect(() => {
    api.comments(task.id).then(setComments, () => undefined);
  }, [task.id]);
  useEffect(() => {
    // Reread whenever the task changes (a save here, or someone else's, live).
    api.history(task.id).then(setHistory, () => undefined);
  }, [task.id, task.version]);

  const save = async (event: Event) => {
    event.preventDefault();
    const fields = changedFields(base, event.currentTarget as HTMLFormElement);
    if (Object.keys(fields).length > 0) await onSave(base, fields);
    setFrozen(null);
  };
  const comment = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    try {
      const added = await api.addComment(task.id, textField(form, 'comment'));
      setComments((all) => [...all, added]);
      form.reset();
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    }
  };

  return (
    <div
      class="panel"
      role="dialog"
      aria-modal="true"
      aria-labelledby="panel-title"
      ref={dialog}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <div class="panel-head">
        <h2 id="panel-title">{task.title}</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {children}
      {frozen !== null && task.version > frozen.version && (
        <p role="status" class="notice">
          Someone changed this task while you were editing: saving keeps their changes to the fields
          you did not touch, and says so if you both changed the same one.
        </p>
      )}
      {/* Untouched, the form follows the task as it changes (live, or after a save). */}
      <form
        key={base.version}
        class="task-form"
        onSubmit={(e) => void save(e)}
        onInput={() => {
          if (frozen === null) setFrozen(task);
        }}
      >
        <fieldset disabled={!canEdit}>
          <label>
            Title
            <input name="title" defaultValue={base.title} required maxLength={200} />
          </label>
          <label>
            Description
            <textarea name="description" defaultValue={base.description} rows={4} />
          </label>
          <label>
            Status
            <select name="status">
              {STATUSES.map((status) => (
                <option key={status} value={status} selected={status === base.status}>
                  {status.replace('_', ' ')}
                </option>
              ))}
            </select>
          </label>
          <label>
            Priority
            <select name="priority">
              {PRIORITIES.map((priority) => (
                <option key={priority} value={priority} selected={priority === base.priority}>
                  {priority}
                </option>
              ))}
            </select>
          </label>
          <label>
            Assignee
            <select name="assigneeId">
              <option value="" selected={base.assigneeId === null}>
                nobody
              </option>
              {members.map((member) => (
                <option
                  key={member.userId}
                  value={member.userId}
                  selected={member.userId === base.assigneeId}
                >
                  {nameOf(member.userId)}
                </option>
              ))}
            </select>
          </label>
          <label>
            Due date
            <input name="dueDate" type="date" defaultValue={base.dueDate?.slice(0, 10) ?? ''} />
          </label>
          <label>
            Labels (comma-separated)
            <input name="labels" defaultValue={base.labels.join(', ')} />
          </label>
          {canEdit && <button type="submit">Save</button>}
        </fieldset>
      </form>
      <section aria-labelledby="comments-title">
        <h3 id="comments-title">Comments</h3>
        <ul class="comments">
          {comments.map((c) => (
            <li key={c.id}>
              <strong>{nameOf(c.authorId)}</strong> · {ago(c.createdAt)}
              <p>{c.body}</p>
            </li>
          ))}
        </ul>
        {error !== null && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <form class="inline" onSubmit={(e) => void comment(e)}>
          <label>
            Add a comment
            <textarea name="comment" required rows={2} />
          </label>
          <button type="submit">Comment</button>
        </form>
      </section>
      <section aria-labelledby="history-title">
        <h3 id="history-title">History</h3>
        <ol class="history">
          {[...history]
            .reverse()
            .flatMap((entry) => describeHistory(entry, nameOf))
            .map((line, i) => (
              <li key={i}>{line}</li>
            ))}
        </ol>
      </section>
    </div>
  );
}
