import { render } from 'preact';
import { App } from './app';
import { ConfigProblem } from './auth/sign-in';
import { WebConfigError, loadWebConfig } from './auth/web-config';
import './styles.css';

const root = document.getElementById('app');
if (root !== null) {
  // The runtime configuration first: it says where the API is and how to sign in.
  loadWebConfig().then(
    (config) => render(<App config={config} />, root),
    (failure: unknown) =>
      render(
        <ConfigProblem
          message={failure instanceof WebConfigError ? failure.message : String(failure)}
        />,
        root,
      ),
  );
}
