import { defineEvent, type EventEnvelope, type PendingEvent } from '@taskflow/platform-events';
import { z } from 'zod';

/** The public shape of a user, as carried by events and answered by the API. */
export const UserSnapshotSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
});
/** The public shape of a user. */
export type UserSnapshot = z.infer<typeof UserSnapshotSchema>;

export const userCreated = defineEvent({
  type: 'user.created',
  description: 'A user was registered.',
  data: z.object({ user: UserSnapshotSchema }),
});

/** Every event the users context emits. */
export const USER_EVENTS = [userCreated] as const;
/** A pending event of the users context. */
export type UserEvent = PendingEvent<(typeof USER_EVENTS)[number]>;
/** A stored event of the users context. */
export type UserEventEnvelope = EventEnvelope<(typeof USER_EVENTS)[number]>;
