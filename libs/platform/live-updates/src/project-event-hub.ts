import {
  type ChangeNotifications,
  type MembershipCheck,
  type ProjectStreamReader,
  type StreamedEvent,
  revokedMemberOf,
} from './ports';
import { type StreamCursor, compareCursors } from './stream-cursor';

/** Why a stream ended on the server's side. */
export type StreamEndReason = 'revoked' | 'slow' | 'shutdown';

/** One connected client, as the transport (SSE, WebSocket) exposes it to the hub. */
export interface StreamSubscriber {
  readonly userId: string;
  /**
   * Sends events, in stream order: the new ones of one log read, or of a catch-up. Every
   * subscriber of a project at the same position gets the same array object, so a transport may
   * serialise it once for all of them. Returns false when the client is not keeping up: the hub
   * then drops it.
   */
  deliver(events: readonly StreamedEvent[]): boolean;
  /** Ends the stream (after the hub has removed the subscriber). */
  end(reason: StreamEndReason): void;
  /**
   * Called once, when the catch-up is over, with the subscriber's position (null: the project's
   * stream is empty): every event after it will be delivered. A transport announces it (SSE:
   * `stream.open` with this `id:`), so that a client reconnecting before any further event
   * resumes from here and misses nothing committed meanwhile.
   */
  live?(position: StreamCursor | null): void;
}

/** Tuning of a {@link ProjectEventHub}. */
export interface ProjectEventHubOptions {
  /** Events read from the log per query. */
  readonly readLimit: number;
  /** Re-read delay while newer events wait for an older transaction to finish. */
  readonly heldBackRetryMs: number;
  /** Every project followed is re-read this often, in case a notification was lost. */
  readonly safetyPollMs: number;
  /** Live events buffered for a subscriber still catching up before it counts as too slow. */
  readonly maxCatchUpBuffer: number;
  /**
   * Longest a stream waits for older writing transactions before delivering past them: live
   * updates must not stall behind one long transaction. Past it, events that transaction
   * commits later may not reach live streams (they stay in the log).
   */
  readonly maxHoldMs: number;
}

const DEFAULTS: ProjectEventHubOptions = {
  readLimit: 500,
  heldBackRetryMs: 5,
  safetyPollMs: 1_000,
  maxCatchUpBuffer: 10_000,
  maxHoldMs: 2_000,
};

interface SubscriberState {
  readonly subscriber: StreamSubscriber;
  cursor: StreamCursor | null;
  catchingUp: boolean;
  buffer: StreamedEvent[];
}

/** What one read of the log found, and whether it was made past a long-held transaction. */
interface LogRead {
  readonly events: readonly StreamedEvent[];
  readonly heldBack: boolean;
  readonly overdue: boolean;
}

interface Channel {
  readonly projectId: string;
  cursor: StreamCursor | null;
  readonly subscribers: Set<SubscriberState>;
  reading: boolean;
  readAgain: boolean;
  retryTimer: NodeJS.Timeout | null;
  /** When reads started finding events held back, or null. */
  heldSince: number | null;
}

/**
 * Fans a project's committed events out to every client following it, in this process. Each
 * notification makes one read of the durable log per project, whatever the number of clients;
 * a client resuming with a last event id first replays from the log, then joins the live feed
 * without gap or repeat. A client that cannot keep up is cut off alone; a member removed from
 * the project gets that event and then its stream ends.
 */
export class ProjectEventHub {
  private readonly channels = new Map<string, Channel>();
  private readonly opening = new Map<string, Promise<Channel>>();
  private readonly options: ProjectEventHubOptions;
  private unsubscribeNotifications: (() => void) | null = null;
  private stopped = false;
  private pollTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly reader: ProjectStreamReader,
    private readonly notifications: ChangeNotifications,
    private readonly membership: MembershipCheck,
    options: Partial<ProjectEventHubOptions> = {},
    private readonly onError: (error: unknown) => void = () => undefined,
    private readonly onHeldTooLong: (projectId: string) => void = () => undefined,
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Starts listening for commits and polling as a safety net. */
  start(): void {
    this.stopped = false;
    this.unsubscribeNotifications ??= this.notifications.subscribe((projectId) => {
      if (projectId === null) {
        for (const channel of this.channels.values()) this.read(channel);
        return;
      }
      const channel = this.channels.get(projectId);
      if (channel) this.read(channel);
    });
    if (this.pollTimer === null) {
      this.pollTimer = setInterval(() => {
        for (const channel of this.channels.values()) this.read(channel);
      }, this.options.safetyPollMs);
      this.pollTimer.unref();
    }
  }

  /** Ends every stream and stops listening. */
  stop(): void {
    this.stopped = true;
    this.unsubscribeNotifications?.();
    this.unsubscribeNotifications = null;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    for (const channel of this.channels.values()) {
      if (channel.retryTimer) clearTimeout(channel.retryTimer);
      const ending = [...channel.subscribers];
      // Removed first, so that a read still in flight delivers to nobody.
      channel.subscribers.clear();
      for (const state of ending) state.subscriber.end('shutdown');
    }
    this.channels.clear();
  }

  /** Number of clients connected, for metrics and tests. */
  get subscriberCount(): number {
    let count = 0;
    for (const channel of this.channels.values()) count += channel.subscribers.size;
    return count;
  }

  /**
   * Follows a project for a member. With `resumeAfter`, first replays every event after it from
   * the log. Resolves to a function that unsubscribes, or to null when the user is not a member
   * (or the hub has stopped: the subscriber is then ended with `shutdown`).
   *
   * Once it resolves, every commit after that moment reaches the subscriber. Membership is
   * checked after the subscriber's position is fixed, so a removal can never fall between the
   * two: either the check sees it, or the removal event comes through the stream and ends it.
   * Until the check passes, live events are only buffered.
   */
  async subscribe(
    projectId: string,
    subscriber: StreamSubscriber,
    resumeAfter: StreamCursor | null,
  ): Promise<(() => void) | null> {
    if (this.stopped) return this.refuse(subscriber);
    let channel = await this.channel(projectId);
    // The channel may have closed (its last subscriber left, or the hub stopped) while this
    // call was resuming.
    while (this.channels.get(projectId) !== channel) {
      if (this.hasStopped()) return this.refuse(subscriber);
      channel = await this.channel(projectId);
    }
    const state: SubscriberState = {
      subscriber,
      cursor: resumeAfter ?? channel.cursor,
      catchingUp: true,
      buffer: [],
    };
    channel.subscribers.add(state);
    const unsubscribe = (): void => {
      this.remove(channel, state);
    };
    try {
      if (!(await this.membership.isMember(projectId, subscriber.userId))) {
        this.remove(channel, state);
        return null;
      }
      await this.catchUp(channel, state, resumeAfter !== null);
    } catch (error) {
      this.remove(channel, state);
      throw error;
    }
    return unsubscribe;
  }

  // A method, not the field: TypeScript would keep the field narrowed across the awaits.
  private hasStopped(): boolean {
    return this.stopped;
  }

  /** Ends a subscriber the stopped hub will not serve. */
  private refuse(subscriber: StreamSubscriber): null {
    subscriber.end('shutdown');
    return null;
  }

  private async catchUp(channel: Channel, state: SubscriberState, fromLog: boolean): Promise<void> {
    while (fromLog) {
      const { events, heldBack } = await this.reader.after(
        channel.projectId,
        state.cursor,
        this.options.readLimit,
      );
      if (!this.deliver(channel, state, events)) return;
      if (!channel.subscribers.has(state)) return;
      // Caught up with the log once a short read leaves nothing pending; events that are still
      // held back reach the live feed, which is already buffering for this subscriber.
      if (events.length < this.options.readLimit || (events.length === 0 && heldBack)) break;
    }
    if (!channel.subscribers.has(state)) return;
    // No await from here on: nothing can slip between draining the buffer and going live.
    const buffered = state.buffer;
    state.buffer = [];
    state.catchingUp = false;
    if (!this.deliver(channel, state, buffered)) return;
    state.subscriber.live?.(state.cursor);
  }

  private async channel(projectId: string): Promise<Channel> {
    const existing = this.channels.get(projectId);
    if (existing) return existing;
    let opening = this.opening.get(projectId);
    if (!opening) {
      opening = (async () => {
        const channel: Channel = {
          projectId,
          cursor: await this.reader.head(projectId),
          subscribers: new Set(),
          reading: false,
          readAgain: false,
          retryTimer: null,
          heldSince: null,
        };
        // A hub stopped meanwhile registers nothing: no stream of it may outlive stop().
        if (!this.stopped) this.channels.set(projectId, channel);
        return channel;
      })();
      this.opening.set(projectId, opening);
      void opening.finally(() => this.opening.delete(projectId)).catch(() => undefined);
    }
    return opening;
  }

  private read(channel: Channel): void {
    if (channel.reading) {
      channel.readAgain = true;
      return;
    }
    channel.reading = true;
    void (async () => {
      try {
        let next: Promise<LogRead> | null = this.readLog(channel, channel.cursor);
        while (next !== null) {
          const { events, heldBack, overdue } = await next;
          next = null;
          channel.heldSince = heldBack
            ? overdue
              ? Date.now()
              : (channel.heldSince ?? Date.now())
            : null;
          // The next read goes out before this one is fanned out: the database works on it while
          // this thread writes to every subscriber, instead of each waiting for the other.
          const reachedCursor = events.at(-1)?.cursor ?? channel.cursor;
          if (
            (channel.readAgain || events.length === this.options.readLimit) &&
            this.channels.get(channel.projectId) === channel
          ) {
            next = this.readLog(channel, reachedCursor);
            // Awaited after the fan-out; should a transport throw first, the loop ends without
            // awaiting it, and its failure must not count as unhandled (the poll reads again).
            next.catch(() => undefined);
          }
          const last = events.at(-1);
          if (last !== undefined) {
            channel.cursor = last.cursor;
            for (const state of [...channel.subscribers]) {
              if (state.catchingUp) {
                state.buffer.push(...events);
                if (state.buffer.length > this.options.maxCatchUpBuffer)
                  this.drop(channel, state, 'slow');
              } else {
                this.deliver(channel, state, events);
              }
            }
          }
          // A channel closed meanwhile (its last subscriber left, or the hub stopped) stops here.
          if (
            heldBack &&
            next === null &&
            channel.retryTimer === null &&
            this.channels.get(channel.projectId) === channel
          ) {
            channel.retryTimer = setTimeout(() => {
              channel.retryTimer = null;
              this.read(channel);
            }, this.options.heldBackRetryMs);
          }
        }
      } catch (error) {
        // The safety poll reads again; a failed read loses nothing (the log is durable).
        this.onError(error);
      } finally {
        channel.reading = false;
      }
    })();
  }

  /**
   * One read of the log after `cursor`. Notifications from now on ask for another read: this one
   * may not see what they announce.
   */
  private readLog(channel: Channel, cursor: StreamCursor | null): Promise<LogRead> {
    channel.readAgain = false;
    const overdue =
      channel.heldSince !== null && Date.now() - channel.heldSince > this.options.maxHoldMs;
    if (overdue) this.onHeldTooLong(channel.projectId);
    return this.reader
      .after(channel.projectId, cursor, this.options.readLimit, { evenIfHeldBack: overdue })
      .then((result) => ({ ...result, overdue }));
  }

  /**
   * Sends a subscriber the events it has not had yet, in order and at most once; false if it was
   * dropped. A member's removal ends their stream right after the removal event.
   */
  private deliver(
    channel: Channel,
    state: SubscriberState,
    events: readonly StreamedEvent[],
  ): boolean {
    let from = 0;
    const seen = state.cursor;
    if (seen !== null) {
      while (from < events.length && compareCursors(events[from]?.cursor ?? seen, seen) <= 0)
        from += 1;
    }
    let to = events.length;
    let revoked = false;
    for (let i = from; i < to; i += 1) {
      const envelope = events[i]?.envelope;
      if (envelope !== undefined && revokedMemberOf(envelope) === state.subscriber.userId) {
        to = i + 1;
        revoked = true;
      }
    }
    if (from === to) return true;
    // The whole read, unsliced, is the array every up-to-date subscriber shares.
    const fresh = from === 0 && to === events.length ? events : events.slice(from, to);
    state.cursor = fresh[fresh.length - 1]?.cursor ?? state.cursor;
    let accepted: boolean;
    try {
      accepted = state.subscriber.deliver(fresh);
    } catch (error) {
      // One broken transport must not keep the events from the subscribers after it.
      this.onError(error);
      accepted = false;
    }
    if (!accepted) {
      this.drop(channel, state, 'slow');
      return false;
    }
    if (revoked) {
      this.drop(channel, state, 'revoked');
      return false;
    }
    return true;
  }

  private drop(channel: Channel, state: SubscriberState, reason: StreamEndReason): void {
    if (!channel.subscribers.has(state)) return;
    this.remove(channel, state);
    state.subscriber.end(reason);
  }

  private remove(channel: Channel, state: SubscriberState): void {
    channel.subscribers.delete(state);
    if (channel.subscribers.size === 0 && this.channels.get(channel.projectId) === channel) {
      this.channels.delete(channel.projectId);
      if (channel.retryTimer) clearTimeout(channel.retryTimer);
    }
  }
}
