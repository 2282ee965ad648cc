import { randomUUID } from 'node:crypto';
import { type StreamCursor, parseCursor } from '@taskflow/platform-live-updates';
import { DomainError, isUuid } from '@taskflow/platform-kernel';
import { StreamTickets } from './auth/stream-tickets';
import { AuthenticationError } from './auth/token-verifier';
import type { Authenticator, IdentityResolver } from './http-api';
import type { HttpRequest, HttpResponse } from './http-types';
import { problemForAuthenticationError, problemForDomainError, validationProblem } from './problem';

/** A stream the caller may open, or the problem answer that refuses it. */
export type StreamOpening =
  | {
      readonly ok: true;
      readonly projectId: string;
      readonly userId: string;
      readonly resumeAfter: StreamCursor | null;
    }
  | { readonly ok: false; readonly response: HttpResponse };

const STREAM_PATH = /^\/projects\/([^/]+)\/stream\/?$/;

/** Who may follow a project's live stream: the context that owns projects decides. */
export interface StreamAccess {
  /**
   * Resolves when `userId` may follow project `projectId` now; rejects with a `DomainError`
   * (a `NotFoundError` for an unknown project or a non-member) when not, which the gate answers
   * like any route answers that error.
   */
  admit(projectId: string, userId: string): Promise<void>;
}

/**
 * Admission to `GET /projects/{id}/stream`: a bearer token or a stream ticket, a valid project
 * id and Last-Event-ID, and current membership. Streaming transports (SSE) call it before
 * holding a connection open; refusals are the same problem documents as every other route.
 */
export class StreamGate {
  constructor(
    private readonly deps: {
      readonly authenticator: Authenticator;
      readonly identities: IdentityResolver;
      readonly tickets: StreamTickets;
      readonly access: StreamAccess;
    },
  ) {}

  /** True when the request is for a project stream (whatever its validity); HEAD included. */
  static matches(request: Pick<HttpRequest, 'method' | 'path'>): boolean {
    return (
      (request.method === 'GET' || request.method === 'HEAD') && STREAM_PATH.test(request.path)
    );
  }

  /**
   * Admits a stream request, or refuses it with its problem answer. Failures that are not the
   * caller's (the database is down...) are thrown for the transport to answer (503, 500).
   */
  async open(request: HttpRequest): Promise<StreamOpening> {
    let rawId: string;
    try {
      rawId = decodeURIComponent(STREAM_PATH.exec(request.path)?.[1] ?? '');
    } catch {
      return refuse(validationProblem([{ path: 'id', message: 'is not valid percent-encoding' }]));
    }
    try {
      const ticket = single(request.query['ticket']);
      const unknown = Object.keys(request.query).filter(
        (k) => k !== 'ticket' && k !== 'lastEventId',
      );
      if (unknown.length > 0)
        return refuse(
          validationProblem(unknown.map((path) => ({ path, message: 'unknown parameter' }))),
        );
      if (!isUuid(rawId))
        return refuse(validationProblem([{ path: 'id', message: 'Invalid UUID' }]));
      const userId =
        ticket !== undefined
          ? await this.deps.tickets.verify(ticket, rawId)
          : await this.deps.identities.userIdOf(
              await this.deps.authenticator.verify(request.headers['authorization']),
              randomUUID(),
            );
      const lastEventId = request.headers['last-event-id'] ?? single(request.query['lastEventId']);
      const resumeAfter =
        lastEventId === undefined || lastEventId === '' ? null : parseCursor(lastEventId);
      await this.deps.access.admit(rawId, userId);
      return { ok: true, projectId: rawId, userId, resumeAfter };
    } catch (error) {
      if (error instanceof AuthenticationError) return refuse(problemForAuthenticationError(error));
      if (error instanceof DomainError)
        return refuse(problemForDomainError(error, { conditional: false }));
      throw error;
    }
  }
}

function refuse(response: HttpResponse): StreamOpening {
  return { ok: false, response };
}

function single(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}
