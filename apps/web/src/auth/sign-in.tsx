import { useEffect, useState } from 'preact/hooks';
import { ApiClient, ApiError } from '../api/client';
import { textField } from '../forms';
import { type OidcConfig, SignInError, beginSignIn, completeSignIn } from './oidc-sign-in';
import type { Session } from './session';
import type { WebAuthConfig } from './web-config';

/** Sends the browser to the identity provider, the board's place kept for the way back. */
async function redirectToProvider(config: OidcConfig): Promise<void> {
  location.assign(
    await beginSignIn(config, location.origin, sessionStorage, { returnTo: location.hash }),
  );
}

/**
 * The sign-in page: the development form (`POST /dev/sign-in`) or a button to the identity
 * provider, as the runtime configuration says. `notice` says why the person is here again.
 */
export function SignIn({
  auth,
  apiUrl,
  notice,
  onSignedIn,
}: {
  auth: WebAuthConfig;
  apiUrl: string;
  notice: string | null;
  onSignedIn: (session: Session) => void;
}) {
  return (
    <main class="sign-in">
      <h1>Sign in to Taskflow</h1>
      {notice !== null && (
        <p role="status" class="notice">
          {notice}
        </p>
      )}
      {auth.kind === 'oidc' ? (
        <ProviderSignIn config={auth} />
      ) : (
        <DevSignIn apiUrl={apiUrl} onSignedIn={onSignedIn} />
      )}
    </main>
  );
}

function ProviderSignIn({ config }: { config: OidcConfig }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const start = () => {
    setBusy(true);
    redirectToProvider(config).catch(() => {
      setBusy(false);
      setError('The sign-in could not be started in this browser.');
    });
  };
  return (
    <>
      <p>You sign in at your organisation’s identity provider, then come back here.</p>
      {error !== null && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <button type="button" disabled={busy} onClick={start}>
        Sign in
      </button>
    </>
  );
}

function DevSignIn({
  apiUrl,
  onSignedIn,
}: {
  apiUrl: string;
  onSignedIn: (session: Session) => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    setBusy(true);
    setError(null);
    try {
      const signedIn = await new ApiClient(null, apiUrl).signIn(
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
    <>
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
    </>
  );
}

/**
 * `/auth/callback`: the provider's answer is taken off the URL and out of the history at once
 * (the code is single-use, the token never goes there), exchanged for the ID token, and the API
 * says who it speaks for. A failure says why and offers to start again.
 */
export function SignInCallback({
  config,
  apiUrl,
  onSignedIn,
}: {
  config: OidcConfig;
  apiUrl: string;
  onSignedIn: (session: Session) => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const search = location.search;
    history.replaceState(null, '', '/');
    void (async () => {
      try {
        const tokens = await completeSignIn(config, location.origin, search, sessionStorage);
        history.replaceState(null, '', `/${tokens.returnTo}`);
        const user = await new ApiClient(tokens.idToken, apiUrl).me();
        onSignedIn({ token: tokens.idToken, user, expiresAt: tokens.expiresAt });
      } catch (failure) {
        setError(
          failure instanceof SignInError
            ? failure.message
            : failure instanceof ApiError
              ? `Taskflow did not accept the sign-in: ${failure.message}`
              : 'Taskflow could not be reached.',
        );
      }
    })();
  }, []);
  const retry = () => {
    setBusy(true);
    redirectToProvider(config).catch(() => setBusy(false));
  };
  return (
    <main class="sign-in">
      <h1>Sign in to Taskflow</h1>
      {error === null ? (
        <p role="status">Signing you in…</p>
      ) : (
        <>
          <p role="alert" class="error">
            {error}
          </p>
          <button type="button" disabled={busy} onClick={retry}>
            Try again
          </button>
        </>
      )}
    </main>
  );
}

/** What the board shows when it cannot start: its configuration is missing or malformed. */
export function ConfigProblem({ message }: { message: string }) {
  return (
    <main class="sign-in">
      <h1>Taskflow cannot start</h1>
      <p role="alert" class="error">
        The board’s configuration is not usable: {message}.
      </p>
      <p>Reload the page; if this stays, tell whoever runs this Taskflow.</p>
      <button type="button" onClick={() => location.reload()}>
        Reload
      </button>
    </main>
  );
}
