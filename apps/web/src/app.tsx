import { useEffect, useState } from 'preact/hooks';
import { ApiClient, ApiError, type Project, type User } from './api/client';
import { Board } from './board/board';

const SESSION_KEY = 'taskflow.session';

/** A text field of a submitted form ('' when absent). */
export function textField(form: HTMLFormElement, name: string): string {
  const value = new FormData(form).get(name);
  return typeof value === 'string' ? value : '';
}

interface Session {
  readonly token: string;
  readonly user: User;
  readonly expiresAt: string;
}

/** The session survives a reload of the tab (session storage), never the tab itself nor a URL. */
function storedSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    if (raw === null) return null;
    const session = JSON.parse(raw) as Session;
    return Date.parse(session.expiresAt) > Date.now() ? session : null;
  } catch {
    return null;
  }
}

/** `#/projects/<id>?filters`: the hash keeps the board's place and filters in the URL. */
function currentRoute(): { projectId: string | null; query: URLSearchParams } {
  const [path = '', query = ''] = location.hash.replace(/^#/, '').split('?');
  const match = /^\/projects\/([0-9a-f-]{36})$/.exec(path);
  return { projectId: match?.[1] ?? null, query: new URLSearchParams(query) };
}

export function App() {
  const [session, setSession] = useState<Session | null>(storedSession);
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const changed = () => setRoute(currentRoute());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);

  if (session === null)
    return (
      <SignIn
        onSignedIn={(signedIn) => {
          sessionStorage.setItem(SESSION_KEY, JSON.stringify(signedIn));
          setSession(signedIn);
        }}
      />
    );
  const api = new ApiClient(session.token);
  const signOut = () => {
    sessionStorage.removeItem(SESSION_KEY);
    setSession(null);
  };
  return (
    <div class="app">
      <header class="top">
        <a href="#/" class="brand">
          Taskflow
        </a>
        <span class="who">{session.user.name}</span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        {route.projectId === null ? (
          <Projects api={api} />
        ) : (
          <Board
            key={route.projectId}
            api={api}
            projectId={route.projectId}
            me={session.user}
            query={route.query}
          />
        )}
      </main>
    </div>
  );
}

function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    setBusy(true);
    setError(null);
    try {
      const signedIn = await new ApiClient(null).signIn(
        textField(form, 'name'),
        textField(form, 'email'),
      );
      onSignedIn({ token: signedIn.token, user: signedIn.user, expiresAt: signedIn.expiresAt });
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.status === 404
          ? 'This server has no development sign-in: sign in through its identity provider.'
          : failure instanceof ApiError
            ? (failure.errors[0]?.message ?? failure.message)
            : 'The server could not be reached.',
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>Sign in to Taskflow</h1>
      <p>Local development sign-in: no password, a token for the address you give.</p>
      <form onSubmit={(event) => void submit(event)}>
        <label>
          Name
          <input name="name" autocomplete="name" required maxLength={100} />
        </label>
        <label>
          E-mail
          <input name="email" type="email" autocomplete="email" required />
        </label>
        {error !== null && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}

function Projects({ api }: { api: ApiClient }) {
  const [projects, setProjects] = useState<Project[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.projects().then(setProjects, (failure: unknown) => setError(String(failure)));
  }, []);
  const create = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const name = textField(form, 'name');
    try {
      const project = await api.createProject(name);
      form.reset();
      location.hash = `#/projects/${project.id}`;
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    }
  };
  return (
    <section aria-labelledby="projects-title">
      <h1 id="projects-title">Projects</h1>
      {error !== null && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {projects === null ? (
        <p>Loading…</p>
      ) : projects.length === 0 ? (
        <p>No project yet: create one.</p>
      ) : (
        <ul class="projects">
          {projects.map((project) => (
            <li key={project.id}>
              <a href={`#/projects/${project.id}`}>{project.name}</a>{' '}
              <span class="muted">{project.members.length} members</span>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={(event) => void create(event)} class="inline">
        <label>
          New project
          <input name="name" required maxLength={100} />
        </label>
        <button type="submit">Create</button>
      </form>
    </section>
  );
}
