import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiClient, ApiError, type Project } from './api/client';
import { CALLBACK_PATH, signOutUrl } from './auth/oidc-sign-in';
import { type Session, forgetSession, keepSession, storedSession } from './auth/session';
import { SignIn, SignInCallback } from './auth/sign-in';
import type { WebConfig } from './auth/web-config';
import { Board } from './board/board';
import { textField } from './forms';
import { currentRoute } from './route';

// The board's forms read their fields with it (it lived here first).
export { textField };

export function App({ config }: { config: WebConfig }) {
  const [session, setSession] = useState<Session | null>(() => storedSession());
  // Why the sign-in page shows again (an expired token); the callback is known at start only.
  const [notice, setNotice] = useState<string | null>(null);
  const [atCallback] = useState(() => location.pathname === CALLBACK_PATH);
  const [route, setRoute] = useState(() => currentRoute());
  useEffect(() => {
    const changed = () => setRoute(currentRoute());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);

  const token = session?.token ?? null;
  const api = useMemo(
    () =>
      new ApiClient(token, config.apiUrl, () => {
        forgetSession();
        setSession(null);
        setNotice('Your session has ended: sign in again.');
      }),
    [token],
  );

  if (session === null) {
    const signedIn = (started: Session) => {
      keepSession(started);
      setNotice(null);
      setSession(started);
    };
    return atCallback && config.auth.kind === 'oidc' ? (
      <SignInCallback config={config.auth} apiUrl={config.apiUrl} onSignedIn={signedIn} />
    ) : (
      <SignIn auth={config.auth} apiUrl={config.apiUrl} notice={notice} onSignedIn={signedIn} />
    );
  }
  const signOut = () => {
    forgetSession();
    setSession(null);
    const away = config.auth.kind === 'oidc' ? signOutUrl(config.auth, location.origin) : null;
    if (away !== null) location.assign(away);
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
            liveUrl={config.liveUrl}
          />
        )}
      </main>
    </div>
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
