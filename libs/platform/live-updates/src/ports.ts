import { type EventEnvelope } from '@taskflow/platform-events';
import type { StreamCursor } from './stream-cursor';

/** An event with its position in its project's stream. */
export interface StreamedEvent {
  readonly cursor: StreamCursor;
  readonly envelope: EventEnvelope;
}

/** Reads a project's event stream from the durable log. */
export interface ProjectStreamReader {
  /** The position of the project's newest deliverable event, or null when it has none. */
  head(projectId: string): Promise<StreamCursor | null>;
  /**
   * Deliverable events after `cursor` (from the start when null), in stream order. `heldBack`
   * is true when newer events exist that are not deliverable yet (an older writing transaction
   * is still running): read again shortly. `evenIfHeldBack` delivers past such a transaction.
   */
  after(
    projectId: string,
    cursor: StreamCursor | null,
    limit: number,
    options?: { readonly evenIfHeldBack?: boolean },
  ): Promise<{ events: StreamedEvent[]; heldBack: boolean }>;
}

/** Tells that a project's stream may have grown (PostgreSQL LISTEN/NOTIFY). */
export interface ChangeNotifications {
  /**
   * Calls `listener` with a project id after each commit that wrote events for it, or with null
   * when notifications may have been missed (a reconnect): then every stream must be re-read.
   */
  subscribe(listener: (projectId: string | null) => void): () => void;
}

/** Answers whether a user may (still) follow a project. */
export interface MembershipCheck {
  isMember(projectId: string, userId: string): Promise<boolean>;
}

/**
 * The user an event takes out of its project (`project.member_removed`), or null: their stream
 * or connection gets that event, then closes. Read structurally: live updates know this one
 * event's name and `userId`, not the projects context's types.
 */
export function revokedMemberOf(envelope: EventEnvelope): string | null {
  if (envelope.type !== 'project.member_removed') return null;
  const { userId } = envelope.data as { readonly userId?: unknown };
  return typeof userId === 'string' ? userId : null;
}
