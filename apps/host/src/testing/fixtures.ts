import { asRecord } from './responses';
import { madeBeforeAll } from './suite';
import type { TestHost } from './test-host';

/** A signed-in test user. */
export interface Login {
  readonly token: string;
  readonly userId: string;
}

/** A project's owner, an editor and a viewer of it, and a stranger outside it. */
export interface Team {
  readonly owner: Login;
  readonly editor: Login;
  readonly viewer: Login;
  readonly stranger: Login;
  readonly projectId: string;
}

/** Creates a project over HTTP as the holder of `token` and returns its id. */
export async function createProject(t: TestHost, token: string, name: string): Promise<string> {
  const created = await t.request('POST', '/projects', { token, body: { name } });
  if (created.status !== 201)
    throw new Error(`creating project ${name} answered ${created.status}`);
  return String(asRecord(created.body)['id']);
}

/** Creates a task over HTTP as the holder of `token` and returns it as the API answered it. */
export async function createTask(
  t: TestHost,
  token: string,
  body: { readonly projectId: string; readonly title: string } & Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const created = await t.request('POST', '/tasks', { token, body });
  if (created.status !== 201)
    throw new Error(`creating task ${body.title} answered ${created.status}`);
  return asRecord(created.body);
}

/** Signs in `email` and creates a project of theirs over HTTP: its owner and its id. */
export async function ownerWithProject(
  t: TestHost,
  email: string,
  projectName: string,
): Promise<{ owner: Login; projectId: string }> {
  const owner = await t.login(email);
  return { owner, projectId: await createProject(t, owner.token, projectName) };
}

/** Makes `member` a member of the owner's project, in this role, over HTTP. */
export async function addMember(
  t: TestHost,
  owner: ProjectOwner,
  member: Login,
  role: 'owner' | 'editor' | 'viewer',
): Promise<void> {
  const added = await t.request('POST', `/projects/${owner.projectId}/members`, {
    token: owner.token,
    body: { userId: member.userId, role },
  });
  if (added.status !== 201) throw new Error(`adding the ${role} answered ${added.status}`);
}

/** A signed-in owner of one project. */
export interface ProjectOwner extends Login {
  readonly projectId: string;
}

/**
 * Signs in `email` in a `beforeAll` of the calling suite (after the host's: call it after
 * {@link useTestHost}); the returned login is theirs from then on.
 */
export function useLogin(t: TestHost, email: string, name?: string): Login {
  return madeBeforeAll(`the login of ${email}`, () => t.login(email, name));
}

/** As {@link useLogin}, and creates a project of theirs. */
export function useProjectOwner(t: TestHost, email: string, projectName: string): ProjectOwner {
  return madeBeforeAll(`the project of ${email}`, async () => {
    const { owner, projectId } = await ownerWithProject(t, email, projectName);
    return { ...owner, projectId };
  });
}

/** Signs in the four people of a {@link Team} and creates their project over HTTP. */
export async function seedTeam(t: TestHost, projectName: string): Promise<Team> {
  const owner = await t.login('owner@example.com', 'Olive Owner');
  const editor = await t.login('editor@example.com', 'Eddie Editor');
  const viewer = await t.login('viewer@example.com', 'Vera Viewer');
  const stranger = await t.login('stranger@example.com', 'Sam Stranger');
  const projectId = await createProject(t, owner.token, projectName);
  await addMember(t, { ...owner, projectId }, editor, 'editor');
  await addMember(t, { ...owner, projectId }, viewer, 'viewer');
  return { owner, editor, viewer, stranger, projectId };
}
