import { render } from 'preact';
import { startRead } from './api/early-reads';
import { projectPath, tasksPath } from './api/paths';
import { storedSession } from './auth/session';
import { WebConfigError, loadWebConfig } from './auth/web-config';
import { currentRoute } from './route';
import './styles.css';

const root = document.getElementById('app');
if (root !== null) {
  // The runtime configuration first: it says where the API is and how to sign in. This script
  // is small: a signed-in tab opening a board starts the board's first reads right away, while
  // the rest of the app (a chunk of its own) is still being fetched and parsed.
  const app = import('./app');
  // Its failure (the network, mid-load) is reported below, once the configuration is in.
  app.catch(() => undefined);
  const unloadable = () => {
    root.textContent = 'Taskflow could not load: check the connection and reload the page.';
  };
  loadWebConfig()
    .then(
      async (config) => {
        const session = storedSession();
        const { projectId } = currentRoute();
        if (session !== null && projectId !== null) {
          startRead(session.token, `${config.apiUrl}${tasksPath(projectId, null)}`);
          startRead(session.token, `${config.apiUrl}${projectPath(projectId)}`);
        }
        const { App } = await app;
        render(<App config={config} />, root);
      },
      async (failure: unknown) => {
        const { ConfigProblem } = await import('./auth/sign-in');
        render(
          <ConfigProblem
            message={failure instanceof WebConfigError ? failure.message : String(failure)}
          />,
          root,
        );
      },
    )
    .catch(unloadable);
}
