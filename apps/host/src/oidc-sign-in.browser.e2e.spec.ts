import type { Browser, Page } from 'playwright-core';
import { loadConfig } from './config';
import { WEB_DIR, describeWithBoard, launchChromium } from './testing/board-browser';
import { FakeOidcProvider } from './testing/fake-oidc-provider';
import { createProject } from './testing/fixtures';
import { type TestHost, startTestHost } from './testing/test-host';

const withBrowser = describeWithBoard('OIDC sign-in browser test');

/** Every URL the page's main frame was at, history changes included. */
function visitedUrls(page: Page): string[] {
  const urls: string[] = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) urls.push(frame.url());
  });
  return urls;
}

/** The session the board keeps in the tab (null when signed out). */
async function storedSession(
  page: Page,
): Promise<{ token: string; user: { email: string } } | null> {
  // A script of the page (the host's code knows no DOM).
  const raw = await page.evaluate<string | null>("sessionStorage.getItem('taskflow.session')");
  return raw === null ? null : (JSON.parse(raw) as { token: string; user: { email: string } });
}

withBrowser(
  'the board signs in at an OIDC provider (authorization code + PKCE) in a real browser',
  () => {
    let provider: FakeOidcProvider;
    let t: TestHost;
    let browser: Browser;

    beforeAll(async () => {
      provider = await FakeOidcProvider.start('taskflow-board');
      // The host as it is configured against a real provider: JWKS_* for the API, the board's
      // TASKFLOW_WEB_OIDC_* for its /config.json.
      const config = loadConfig({
        JWT_SECRET: 'test-secret-test-secret-test-secret-0123456789',
        JWKS_URL: `${provider.url}/.well-known/jwks.json`,
        JWKS_ISSUER: provider.issuer,
        JWKS_AUDIENCE: provider.clientId,
        TASKFLOW_WEB_OIDC_AUTHORIZE_URL: `${provider.url}/oauth2/authorize`,
        TASKFLOW_WEB_OIDC_TOKEN_URL: `${provider.url}/oauth2/token`,
        TASKFLOW_WEB_OIDC_LOGOUT_URL: `${provider.url}/logout`,
        TASKFLOW_WEB_OIDC_CLIENT_ID: provider.clientId,
      });
      t = await startTestHost('oidc_board', {
        webDir: WEB_DIR,
        devSignIn: config.devSignIn,
        jwks: config.jwks,
        webOidc: config.webOidc,
      });
      provider.boardOrigin = t.url;
      browser = await launchChromium();
      // Olivia already has a project: seeing it proves the board signed in as her.
      const olivia = await t.login('olivia@example.com', 'Olivia');
      await createProject(t, olivia.token, 'Olivia’s launch');
    }, 120_000);

    afterAll(async () => {
      await browser.close();
      await t.stop();
      await provider.close();
    });

    afterEach(() => {
      expect(provider.refusals).toEqual([]);
    });

    it('signs in through the provider and lands on the projects page as that person; the token never reaches a URL', async () => {
      // Prepare
      const page = await (await browser.newContext()).newPage();
      const urls = visitedUrls(page);
      const requested: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      await page.goto(`${t.url}/`);

      // Act
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Projects' }).waitFor();

      // Assess
      await page.getByRole('link', { name: 'Olivia’s launch' }).waitFor();
      expect(await page.locator('.who').textContent()).toBe('Olivia');
      const session = await storedSession(page);
      expect(session?.user.email).toBe('olivia@example.com');
      // The code and state are gone from the address bar, and from the history entry.
      expect(page.url()).toBe(`${t.url}/`);
      expect(requested.some((url) => url.startsWith(`${provider.url}/oauth2/authorize?`))).toBe(
        true,
      );
      expect(urls.some((url) => url.startsWith(`${t.url}/auth/callback?code=`))).toBe(true);
      const token = session?.token ?? 'no token';
      expect(token.split('.')).toHaveLength(3);
      for (const url of [...urls, ...requested]) expect(url).not.toContain(token);
      await page.goBack();
      expect(page.url()).not.toContain('code=');
      expect(page.url()).not.toContain(token);
    }, 60_000);

    it('comes back to the board’s place the person started from', async () => {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${t.url}/#/projects/00000000-0000-7000-8000-000000000000`);

      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('.who').waitFor();

      expect(page.url()).toBe(`${t.url}/#/projects/00000000-0000-7000-8000-000000000000`);
    }, 60_000);

    it('refuses an answer whose state was tampered with, and signs in on Try again', async () => {
      // Prepare
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${t.url}/`);
      provider.tamperNextState = true;

      // Act
      await page.getByRole('button', { name: 'Sign in' }).click();
      const refused = page.getByRole('alert');
      await refused.waitFor();

      // Assess
      expect(await refused.textContent()).toContain(
        'does not belong to the sign-in this tab started',
      );
      expect(await storedSession(page)).toBeNull();
      expect(page.url()).toBe(`${t.url}/`);

      await page.getByRole('button', { name: 'Try again' }).click();
      await page.getByRole('heading', { name: 'Projects' }).waitFor();
      expect((await storedSession(page))?.user.email).toBe('olivia@example.com');
    }, 60_000);

    it('refuses a callback this tab never started (a code pushed at the board)', async () => {
      const page = await (await browser.newContext()).newPage();

      await page.goto(`${t.url}/auth/callback?code=stolen&state=whatever`);
      await page.getByRole('alert').waitFor();

      expect(await page.getByRole('alert').textContent()).toContain('not started in this tab');
      expect(await storedSession(page)).toBeNull();
      expect(page.url()).toBe(`${t.url}/`);
    }, 60_000);

    it('says why when the provider answers an error', async () => {
      const page = await (await browser.newContext()).newPage();

      await page.goto(
        `${t.url}/auth/callback?error=access_denied&error_description=User+cancelled`,
      );
      await page.getByRole('alert').waitFor();

      expect(await page.getByRole('alert').textContent()).toContain(
        'access_denied: User cancelled',
      );
      expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(1);
    }, 60_000);

    it('signs out at the provider, which sends the browser back to the board’s sign-in', async () => {
      // Prepare
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${t.url}/`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Projects' }).waitFor();
      const before = provider.logouts.length;

      // Act
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to Taskflow' }).waitFor();

      // Assess
      expect(provider.logouts).toHaveLength(before + 1);
      expect(provider.logouts.at(-1)?.get('client_id')).toBe('taskflow-board');
      expect(provider.logouts.at(-1)?.get('logout_uri')).toBe(`${t.url}/`);
      expect(page.url()).toBe(`${t.url}/`);
      expect(await storedSession(page)).toBeNull();
    }, 60_000);

    it('returns to sign-in when the API no longer takes the token (401)', async () => {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${t.url}/`);
      const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
      const user = { id: 'x', email: 'olivia@example.com', name: 'Olivia' };
      const refused = { token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', user, expiresAt };
      await page.evaluate(
        `sessionStorage.setItem('taskflow.session', ${JSON.stringify(JSON.stringify(refused))})`,
      );

      await page.reload();
      await page.getByText('Your session has ended: sign in again.').waitFor();

      expect(await storedSession(page)).toBeNull();
      expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(1);
    }, 60_000);

    it('shows what is wrong when the board’s configuration is malformed', async () => {
      const page = await (await browser.newContext()).newPage();
      await page.route('**/config.json', (route) =>
        route.fulfill({ contentType: 'application/json', body: '{"apiUrl":"/api/","auth":{}}' }),
      );

      await page.goto(`${t.url}/`);
      await page.getByRole('heading', { name: 'Taskflow cannot start' }).waitFor();

      expect(await page.getByRole('alert').textContent()).toContain(
        'apiUrl must be an absolute URL',
      );
    }, 60_000);
  },
);
