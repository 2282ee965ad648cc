import type { Task, TaskEdit } from '../board/board-state';
import { takeRead } from './early-reads';
import { projectPath, tasksPath } from './paths';
import type { components, operations } from './schema';

type Schemas = components['schemas'];
export type User = Schemas['User'];
export type Project = Schemas['Project'];
export type ProjectRole = Schemas['ProjectRole'];
export type Member = Schemas['Member'];
export type Comment = Schemas['Comment'];
export type HistoryEntry = Schemas['HistoryEntry'];
export type SignedIn = operations['devSignIn']['responses'][200]['content']['application/json'];

/** A problem document (RFC 9457) the API answered with. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    detail: string,
    /** Per-field errors of a 400. */
    readonly errors: readonly { readonly path: string; readonly message: string }[] = [],
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

/** A write refused for a stale version: the task as it now is (read after the 412). */
export class StaleTask extends Error {
  constructor(readonly latest: Task) {
    super('the task changed meanwhile');
    this.name = 'StaleTask';
  }
}

interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/**
 * The API as the board uses it: at `baseUrl` (the runtime configuration's `apiUrl`; '' is the
 * board's own origin, as the local host serves both), a bearer token held in memory, problem
 * documents turned into {@link ApiError}. A 401 to a request that carried a token calls
 * `onUnauthorized` (the token expired or was refused: the board returns to sign-in).
 */
export class ApiClient {
  constructor(
    private readonly token: string | null,
    private readonly baseUrl = '',
    private readonly onUnauthorized: () => void = () => undefined,
  ) {}

  withToken(token: string): ApiClient {
    return new ApiClient(token, this.baseUrl, this.onUnauthorized);
  }

  /** Sends a request; the body of a 2xx, parsed (its shape is the route's documented one). */
  private async send(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<{ body: unknown; status: number }> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.token !== null) headers['authorization'] = `Bearer ${this.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const url = `${this.baseUrl}${path}`;
    const early = method === 'GET' && this.token !== null ? takeRead(this.token, url) : undefined;
    const response = await (early ??
      fetch(url, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      }));
    const text = await response.text();
    const parsed: unknown = text === '' ? null : JSON.parse(text);
    if (!response.ok) {
      if (response.status === 401 && this.token !== null) this.onUnauthorized();
      const problem = (parsed ?? {}) as {
        code?: string;
        detail?: string;
        title?: string;
        errors?: { path: string; message: string }[];
      };
      throw new ApiError(
        response.status,
        problem.code,
        problem.detail ?? problem.title ?? response.statusText,
        problem.errors ?? [],
      );
    }
    return { body: parsed, status: response.status };
  }

  async signIn(name: string, email: string): Promise<SignedIn> {
    return (await this.send('POST', '/dev/sign-in', { body: { name, email } })).body as SignedIn;
  }

  async me(): Promise<User> {
    return (await this.send('GET', '/users/me')).body as User;
  }

  async projects(): Promise<Project[]> {
    return ((await this.send('GET', '/projects?limit=100')).body as Page<Project>).items;
  }

  async project(id: string): Promise<Project> {
    return (await this.send('GET', projectPath(id))).body as Project;
  }

  async createProject(name: string): Promise<Project> {
    return (await this.send('POST', '/projects', { body: { name } })).body as Project;
  }

  async addMember(projectId: string, email: string, role: ProjectRole): Promise<Project> {
    const path = `/projects/${projectId}/members`;
    return (await this.send('POST', path, { body: { email, role } })).body as Project;
  }

  async removeMember(projectId: string, userId: string): Promise<void> {
    await this.send('DELETE', `/projects/${projectId}/members/${userId}`);
  }

  /** Gives a member another role (owners only); the project after the change. */
  async changeMemberRole(projectId: string, userId: string, role: ProjectRole): Promise<Project> {
    const path = `/projects/${projectId}/members/${userId}`;
    return (await this.send('PATCH', path, { body: { role } })).body as Project;
  }

  /** One page of a project's tasks, by keyset cursor. */
  async tasks(projectId: string, cursor: string | null): Promise<Page<Task>> {
    return (await this.send('GET', tasksPath(projectId, cursor))).body as Page<Task>;
  }

  async task(id: string): Promise<Task> {
    return (await this.send('GET', `/tasks/${id}`)).body as Task;
  }

  async createTask(projectId: string, title: string): Promise<Task> {
    return (await this.send('POST', '/tasks', { body: { projectId, title } })).body as Task;
  }

  /** Changes `fields` if the task is still at `version`; else {@link StaleTask} with the latest. */
  async updateTask(id: string, fields: TaskEdit, version: number): Promise<Task> {
    try {
      const headers = { 'if-match': `"${String(version)}"` };
      return (await this.send('PATCH', `/tasks/${id}`, { body: fields, headers })).body as Task;
    } catch (error) {
      if (error instanceof ApiError && error.status === 412)
        throw new StaleTask(await this.task(id));
      throw error;
    }
  }

  /** The caller and the people who share a project with them (names for ids). */
  async users(): Promise<User[]> {
    return ((await this.send('GET', '/users?limit=100')).body as Page<User>).items;
  }

  async comments(taskId: string): Promise<Comment[]> {
    return ((await this.send('GET', `/tasks/${taskId}/comments?limit=100`)).body as Page<Comment>)
      .items;
  }

  async addComment(taskId: string, body: string): Promise<Comment> {
    return (await this.send('POST', `/tasks/${taskId}/comments`, { body: { body } }))
      .body as Comment;
  }

  async history(taskId: string): Promise<HistoryEntry[]> {
    return ((await this.send('GET', `/tasks/${taskId}/history`)).body as { items: HistoryEntry[] })
      .items;
  }

  /**
   * The URL of a project's stream for EventSource (a ticket: EventSource sends no headers). The
   * API answers a path on itself, resolved against `baseUrl`; an absolute one is kept.
   */
  async streamUrl(projectId: string): Promise<string> {
    const url = (await this.streamTicket(projectId)).streamUrl;
    return /^[a-z][a-z\d+.-]*:/i.test(url) ? url : `${this.baseUrl}${url}`;
  }

  /**
   * A ticket for the project's stream, the SSE route's (`streamUrl`, a path on the API) or the
   * WebSocket API's `$connect` (`?ticket=`): reusable until `expiresAt`.
   */
  async streamTicket(
    projectId: string,
  ): Promise<{ ticket: string; expiresAt: string; streamUrl: string }> {
    const { body } = await this.send('POST', `/projects/${projectId}/stream-tickets`);
    return body as { ticket: string; expiresAt: string; streamUrl: string };
  }
}
