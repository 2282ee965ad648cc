import type { StreamEnvelope } from './board-state';
import { PROJECT_EVENT_TYPES } from '../projects/members-state';

/** The task events the board applies (the others change no card). */
export const TASK_EVENT_TYPES = ['task.created', 'task.updated', 'task.deleted'] as const;

export type LiveStatus = 'connecting' | 'live' | 'offline' | 'ended';

/**
 * Follows a project's stream with EventSource. The browser reconnects by itself and sends the
 * last `id:` it saw as Last-Event-ID, so the server replays exactly what was missed; the board
 * only says when it is offline. When the stream ends for good (the member was removed, or the
 * ticket expired), `ended` is reported.
 */
export function followProject(
  url: string,
  onEvent: (event: StreamEnvelope) => void,
  onStatus: (status: LiveStatus) => void,
): () => void {
  const source = new EventSource(url);
  onStatus('connecting');
  source.addEventListener('stream.open', () => {
    onStatus('live');
  });
  // Task events change cards; member events, who may change them (the read-only state).
  for (const type of [...TASK_EVENT_TYPES, ...PROJECT_EVENT_TYPES]) {
    source.addEventListener(type, (message) => {
      onEvent(JSON.parse((message as MessageEvent<string>).data) as StreamEnvelope);
    });
  }
  source.addEventListener('stream.end', () => {
    source.close();
    onStatus('ended');
  });
  source.addEventListener('error', () => {
    // CONNECTING: the browser is retrying; CLOSED: it gave up (a 4xx on reconnect).
    onStatus(source.readyState === EventSource.CLOSED ? 'ended' : 'offline');
  });
  return () => {
    source.close();
  };
}
