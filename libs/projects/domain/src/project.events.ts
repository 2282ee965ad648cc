import { defineEvent, type EventEnvelope, type PendingEvent } from '@taskflow/platform-events';
import { z } from 'zod';

/** Roles a user can hold in a project. */
export const PROJECT_ROLES = ['owner', 'editor', 'viewer'] as const;
export const ProjectRoleSchema = z.enum(PROJECT_ROLES);
/** A member's role in a project. */
export type ProjectRole = z.infer<typeof ProjectRoleSchema>;

/** A project's name and origin, as carried by `project.created`. */
export const ProjectSummarySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  createdBy: z.uuid(),
  createdAt: z.iso.datetime({ offset: true }),
});

const membership = z.object({ userId: z.uuid(), role: ProjectRoleSchema });

export const projectCreated = defineEvent({
  type: 'project.created',
  description: 'A project was created; its creator is its first owner.',
  data: z.object({ project: ProjectSummarySchema }),
});

export const projectMemberAdded = defineEvent({
  type: 'project.member_added',
  description: 'A user joined a project with a role.',
  data: membership,
});

export const projectMemberRemoved = defineEvent({
  type: 'project.member_removed',
  description: 'A user left or was removed from a project.',
  data: membership,
});

export const projectMemberRoleChanged = defineEvent({
  type: 'project.member_role_changed',
  description:
    'A member of a project was given another role (`from` the role they held, `to` the one they hold now).',
  data: z.object({ userId: z.uuid(), from: ProjectRoleSchema, to: ProjectRoleSchema }),
});

/** Every event the projects context emits. */
export const PROJECT_EVENTS = [
  projectCreated,
  projectMemberAdded,
  projectMemberRemoved,
  projectMemberRoleChanged,
] as const;
/** A pending event of the projects context. */
export type ProjectEvent = PendingEvent<(typeof PROJECT_EVENTS)[number]>;
/** A stored event of the projects context. */
export type ProjectEventEnvelope = EventEnvelope<(typeof PROJECT_EVENTS)[number]>;
