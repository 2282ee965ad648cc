/** Where the board is: a project's board, with its filters, or (no project) the project list. */
export interface Route {
  readonly projectId: string | null;
  readonly query: URLSearchParams;
}

/** `#/projects/<id>?filters`: the hash keeps the board's place and filters in the URL. */
export function currentRoute(hash: string = location.hash): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const match = /^\/projects\/([0-9a-f-]{36})$/.exec(path);
  return { projectId: match?.[1] ?? null, query: new URLSearchParams(query) };
}
