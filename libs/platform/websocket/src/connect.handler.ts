import {
  type HttpRequest,
  type HttpResponse,
  type StreamGate,
  problemForDomainError,
  toApiGatewayResult,
  validationProblem,
} from '@taskflow/platform-http';
import {
  type ConnectionStore,
  type MembershipCheck,
  WEBSOCKET_MAX_CONNECTION_MS,
} from '@taskflow/platform-live-updates';
import { type FieldIssue, NotFoundError, isUuid } from '@taskflow/platform-kernel';
import type { APIGatewayProxyResult } from 'aws-lambda';
import {
  InvalidWebSocketEventError,
  type WebSocketLifecycleEvent,
  lifecycleOf,
} from './websocket-events';

/** What {@link handleConnect} needs; build it once per Lambda instance. */
export interface ConnectDeps {
  /** The admission of `GET /projects/{id}/stream`: the same rules as the SSE stream. */
  readonly gate: Pick<StreamGate, 'open'>;
  /**
   * The registry as this region sees it (a store scoped to the region): the connection is kept
   * for the broadcaster of the region whose API holds it, the only one that can reach it.
   */
  readonly connections: ConnectionStore;
  /** Membership as it is now, checked again once the connection is registered. */
  readonly membership: MembershipCheck;
}

/** Query parameters a `$connect` URL may carry. */
const PARAMETERS = new Set(['projectId', 'ticket']);

/**
 * The `$connect` route: `wss://…/{stage}?projectId={id}` with `Authorization: Bearer <token>`,
 * or `&ticket=<stream ticket>` (browsers cannot set headers on a WebSocket). Admission is the
 * SSE stream's ({@link StreamGate}); a refusal answers the gate's status and problem document,
 * and API Gateway refuses the upgrade with that status.
 *
 * An admitted connection is registered, then membership is checked once more: a removal that
 * commits after the gate's check either shows in that check, or its broadcast finds the
 * registered connection and closes it. Never left following a project it was removed from.
 *
 * @throws InvalidWebSocketEventError when the event is not a `$connect` (a wiring mistake).
 * @throws whatever the store or the gate throws (database down): the client is answered 500.
 */
export async function handleConnect(
  event: WebSocketLifecycleEvent,
  deps: ConnectDeps,
): Promise<APIGatewayProxyResult> {
  const { connectionId, context } = lifecycleOf(event, 'CONNECT');
  const connectedAtMs = context.connectedAt;
  if (typeof connectedAtMs !== 'number' || !Number.isFinite(connectedAtMs)) {
    throw new InvalidWebSocketEventError('requestContext.connectedAt', 'missing');
  }
  const query = queryOf(event);
  const headers = headersOf(event);
  const issues = requestIssues(query, headers);
  if (issues.length > 0) return toApiGatewayResult(validationProblem(issues));
  const projectId = query.get('projectId')?.[0] ?? '';
  const ticket = query.get('ticket')?.[0];

  const request: HttpRequest = {
    method: 'GET',
    path: `/projects/${encodeURIComponent(projectId)}/stream`,
    query: ticket === undefined ? {} : { ticket },
    headers,
    body: null,
  };
  const opening = await deps.gate.open(request);
  if (!opening.ok) return toApiGatewayResult(opening.response);

  const connectedAt = new Date(connectedAtMs);
  await deps.connections.add({
    connectionId,
    projectId: opening.projectId,
    userId: opening.userId,
    connectedAt,
    expiresAt: new Date(connectedAtMs + WEBSOCKET_MAX_CONNECTION_MS),
  });
  let member: boolean;
  try {
    member = await deps.membership.isMember(opening.projectId, opening.userId);
  } catch (error) {
    await forget(deps.connections, connectionId);
    throw error;
  }
  if (!member) {
    await deps.connections.remove(connectionId);
    return toApiGatewayResult(notFound(opening.projectId));
  }
  return { statusCode: 200, headers: {}, body: '' };
}

/** Every query parameter with all its values (API Gateway sends both maps). */
function queryOf(event: WebSocketLifecycleEvent): Map<string, string[]> {
  const query = new Map<string, string[]>();
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if (values && values.length > 0) query.set(name, [...values]);
  }
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined && !query.has(name)) query.set(name, [value]);
  }
  return query;
}

/** The handshake's headers, names in lower case, repeated values joined as HTTP does. */
function headersOf(event: WebSocketLifecycleEvent): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) {
    if (values && values.length > 0) headers[name.toLowerCase()] = values.join(', ');
  }
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] ??= value;
  }
  return headers;
}

function requestIssues(
  query: Map<string, string[]>,
  headers: Record<string, string>,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const projectIds = query.get('projectId') ?? [];
  const [projectId] = projectIds;
  if (projectId === undefined || projectId === '') {
    issues.push({ path: 'projectId', message: 'Required' });
  } else if (projectIds.length > 1) {
    issues.push({ path: 'projectId', message: 'give one project id' });
  } else if (!isUuid(projectId)) {
    issues.push({ path: 'projectId', message: 'Invalid UUID' });
  }
  if ((query.get('ticket') ?? []).length > 1) {
    issues.push({ path: 'ticket', message: 'give one ticket' });
  }
  for (const name of query.keys()) {
    if (!PARAMETERS.has(name)) issues.push({ path: name, message: 'unknown parameter' });
  }
  if (headers['last-event-id'] !== undefined) {
    // Nothing is replayed over WebSocket: a client that asks to resume must not believe it did.
    issues.push({
      path: 'Last-Event-ID',
      message: 'resuming is not supported over WebSocket; read the current state after connecting',
    });
  }
  return issues;
}

/** The refusal the API gives a non-member (the projects context's PROJECT_NOT_FOUND), so a stream reveals no more than a read. */
function notFound(projectId: string): HttpResponse {
  return problemForDomainError(
    new NotFoundError('PROJECT_NOT_FOUND', `project ${projectId} not found`),
    { conditional: false },
  );
}

/** Unregisters a connection while another failure is being reported; that failure wins. */
async function forget(connections: ConnectionStore, connectionId: string): Promise<void> {
  try {
    await connections.remove(connectionId);
  } catch {
    // The row expires with the connection; the failure the caller sees is the first one.
  }
}
