/**
 * Paths of the API reads the board makes at start-up, shared by the API client and the start-up
 * script (which sends them early): one spelling, so that the client finds the early ones.
 */

/** A page of a project's tasks in board order (the top of every column first). */
export function tasksPath(projectId: string, cursor: string | null): string {
  const query = new URLSearchParams({ projectId, order: 'rank', limit: '100' });
  if (cursor !== null) query.set('cursor', cursor);
  return `/tasks?${query.toString()}`;
}

/** A project with its members. */
export const projectPath = (projectId: string): string => `/projects/${projectId}`;
