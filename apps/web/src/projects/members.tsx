import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { type ApiClient, ApiError, type Project, type ProjectRole, type User } from '../api/client';
import { textField } from '../app';
import {
  type MemberRow,
  ROLES,
  ROLE_NAMES,
  hasStrangers,
  memberProblem,
  memberRows,
  roleOf,
} from './members-state';
import './members.css';

const FOCUSABLE = 'button:not([disabled]), input:not([disabled]), select:not([disabled]), [href]';

const problemOf = (failure: unknown): string =>
  failure instanceof ApiError ? memberProblem(failure) : 'The server could not be reached.';

/**
 * The project's members in a dialog: name, e-mail and role of each. An owner adds people by
 * e-mail with a role, gives a member another role and removes one (after confirming); everyone
 * else sees the list only. The API decides (a last owner stays an owner); the dialog says why.
 * Every change answered by the API goes to `onProject`, as the live stream's events do, so that
 * the board (and its read-only state) follows at once.
 *
 * Focus moves into the dialog when it opens and back to what had it when it closes; Escape and
 * the Close button close it; Tab stays inside while it is open.
 */
export function MembersDialog(props: {
  api: ApiClient;
  project: Project;
  meId: string;
  onProject: (project: Project) => void;
  onClose: () => void;
}) {
  const { api, project, meId, onProject, onClose } = props;
  const [people, setPeople] = useState<ReadonlyMap<string, User>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  // The new member's role, held here: a form reset would pick the first option (owner).
  const [newRole, setNewRole] = useState<ProjectRole>('viewer');
  const dialog = useRef<HTMLDivElement>(null);
  const owner = roleOf(project, meId) === 'owner';
  const rows = memberRows(project.members, people, meId);

  // Escape is heard anywhere while the dialog is open: focus may sit on the page for a moment,
  // when the control that had it went away (a confirmation answered).
  const close = useRef(onClose);
  close.current = onClose;
  // What had focus when the dialog opened (read while rendering it, before any effect moves it).
  const [opener] = useState(() =>
    document.activeElement instanceof HTMLElement ? document.activeElement : null,
  );
  useEffect(() => {
    dialog.current?.querySelector<HTMLElement>('h2')?.focus();
    const onEscape = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.stopPropagation();
      close.current();
    };
    document.addEventListener('keydown', onEscape);
    return () => {
      document.removeEventListener('keydown', onEscape);
      opener?.focus();
    };
  }, []);
  // Asking to confirm a removal moves focus to the confirmation; cancelling it, back to Remove.
  const asked = useRef<string | null>(null);
  useLayoutEffect(() => {
    const row = confirming ?? asked.current;
    asked.current = confirming;
    if (row === null) return;
    const item = dialog.current?.querySelector(`[data-user-id="${row}"]`);
    item?.querySelector<HTMLElement>(confirming === null ? 'button' : 'button.danger')?.focus();
  }, [confirming]);
  // Controls that disappear (a member removed, the caller no longer an owner) leave focus in
  // the dialog, on its title.
  useLayoutEffect(() => {
    if (dialog.current !== null && !dialog.current.contains(document.activeElement))
      dialog.current.querySelector<HTMLElement>('h2')?.focus();
  }, [owner, project.members.length]);
  // Names and e-mails of the members: read again whenever someone joins whom the list lacks.
  const strangers = hasStrangers(project.members, people);
  useEffect(() => {
    if (!strangers && people.size > 0) return;
    // Merged, not replaced: an older read answering last must not forget someone a newer found.
    api.users().then(
      (users) => setPeople((known) => new Map([...known, ...users.map((u) => [u.id, u] as const)])),
      () => undefined,
    );
  }, [strangers, project.version]);

  // One change of members at a time, saying how it went. Controls stay enabled while it is saved
  // (disabling one would drop its focus); another change meanwhile is ignored.
  const change = async (key: string, write: () => Promise<Project | null>, done: string) => {
    if (busy !== null) return false;
    setBusy(key);
    setError(null);
    setStatus(null);
    try {
      const changed = await write();
      if (changed !== null) onProject(changed);
      setStatus(done);
      return true;
    } catch (failure) {
      setError(problemOf(failure));
      return false;
    } finally {
      setBusy(null);
    }
  };

  const add = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const email = textField(form, 'email').trim();
    const role = newRole;
    const added = await change(
      'add',
      () => api.addMember(project.id, email, role),
      `${email} was added as ${ROLE_NAMES[role].toLowerCase()}.`,
    );
    if (added) {
      form.reset();
      setNewRole('viewer');
    }
  };

  const setRole = (row: MemberRow, role: ProjectRole) =>
    change(
      row.userId,
      () => api.changeMemberRole(project.id, row.userId, role),
      `${row.isMe ? 'You are' : `${row.name} is`} now ${ROLE_NAMES[role].toLowerCase()}.`,
    );

  const remove = async (row: MemberRow) => {
    setConfirming(null);
    await change(
      row.userId,
      async () => {
        await api.removeMember(project.id, row.userId);
        // The removal answers no body: the project as it now is, unless the caller left it.
        return row.isMe ? null : api.project(project.id);
      },
      `${row.name} was removed from the project.`,
    );
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Tab' || dialog.current === null) return;
    const focusable = [...dialog.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = focusable[0];
    const last = focusable.at(-1);
    if (
      event.shiftKey &&
      (document.activeElement === first ||
        document.activeElement === dialog.current.querySelector('h2'))
    ) {
      event.preventDefault();
      last?.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first?.focus();
    }
  };

  return (
    <div class="members-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div
        class="panel members"
        role="dialog"
        aria-modal="true"
        aria-labelledby="members-title"
        aria-describedby="members-about"
        ref={dialog}
        onKeyDown={onKeyDown}
      >
        <div class="panel-head">
          <h2 id="members-title" tabIndex={-1}>
            Members of {project.name}
          </h2>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
        <p id="members-about" class="muted">
          {owner
            ? 'Owners manage members; editors change tasks; viewers see the board read-only.'
            : `You are ${ROLE_NAMES[roleOf(project, meId) ?? 'viewer'].toLowerCase()}: only an owner can change the members.`}
        </p>
        {error !== null && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <p role="status" class="members-status">
          {status}
        </p>
        <ul class="member-list" aria-label="Members">
          {rows.map((row) => (
            <li key={row.userId} class="member" data-user-id={row.userId}>
              <span class="member-who">
                <strong>
                  {row.name}
                  {row.isMe && ' (you)'}
                </strong>
                {row.email !== null && <span class="muted">{row.email}</span>}
              </span>
              {owner ? (
                <span class="member-actions">
                  <label>
                    <span class="visually-hidden">Role of {row.name}</span>
                    <select
                      value={row.role}
                      aria-busy={busy === row.userId}
                      onChange={(e) => void setRole(row, e.currentTarget.value as ProjectRole)}
                    >
                      {ROLES.map((role) => (
                        <option key={role} value={role}>
                          {ROLE_NAMES[role]}
                        </option>
                      ))}
                    </select>
                  </label>
                  {confirming === row.userId ? (
                    <span class="member-confirm" role="group" aria-label={`Remove ${row.name}?`}>
                      <button type="button" class="danger" onClick={() => void remove(row)}>
                        Yes, remove {row.isMe ? 'me' : row.name}
                      </button>
                      <button type="button" class="secondary" onClick={() => setConfirming(null)}>
                        Cancel
                      </button>
                    </span>
                  ) : (
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`Remove ${row.name}`}
                      onClick={() => setConfirming(row.userId)}
                    >
                      Remove
                    </button>
                  )}
                </span>
              ) : (
                <span class="member-role">{ROLE_NAMES[row.role]}</span>
              )}
            </li>
          ))}
        </ul>
        {owner && (
          <form class="member-add" onSubmit={(event) => void add(event)}>
            <h3>Add a member</h3>
            <label>
              E-mail address of the new member
              <input name="email" type="email" required autocomplete="off" maxLength={255} />
            </label>
            <label>
              Role of the new member
              <select
                name="role"
                value={newRole}
                onChange={(e) => setNewRole(e.currentTarget.value as ProjectRole)}
              >
                {ROLES.map((role) => (
                  <option key={role} value={role}>
                    {ROLE_NAMES[role]}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" aria-busy={busy === 'add'}>
              Add member
            </button>
          </form>
        )}
      </div>
    </div>
  );
}
