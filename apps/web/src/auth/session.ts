import type { User } from '../api/client';

/** A signed-in person: the bearer token the API takes, who it speaks for, until when. */
export interface Session {
  readonly token: string;
  readonly user: User;
  readonly expiresAt: string;
}

/** The key of the session in the tab's session storage. */
export const SESSION_KEY = 'taskflow.session';

/**
 * The session survives a reload of the tab (session storage), never the tab itself nor a URL;
 * an expired one is no session.
 */
export function storedSession(store: Pick<Storage, 'getItem'> = sessionStorage): Session | null {
  try {
    const raw = store.getItem(SESSION_KEY);
    if (raw === null) return null;
    const session = JSON.parse(raw) as Session;
    return Date.parse(session.expiresAt) > Date.now() ? session : null;
  } catch {
    return null;
  }
}

/** Keeps the session for reloads of this tab. */
export function keepSession(session: Session): void {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

/** Forgets the session (sign out, or a token the API no longer takes). */
export function forgetSession(): void {
  sessionStorage.removeItem(SESSION_KEY);
}
