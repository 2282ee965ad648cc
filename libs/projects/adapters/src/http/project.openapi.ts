import { ProjectRoleSchema } from '@taskflow/projects-domain';
import type { OpenApiDocumentation } from '@taskflow/platform-http';
import { USER_EXAMPLES } from '@taskflow/users-adapters';
import * as S from './project.schemas';

const PROJECT_ID = '7a1e4f2b-6c3d-4e5f-8a9b-0c1d2e3f4a5b';
const AT = '2026-03-02T09:15:00.000Z';
const LATER = '2026-03-02T10:40:12.345Z';
const LATEST = '2026-03-03T08:05:00.000Z';
const { owner, editor } = USER_EXAMPLES;

const project = {
  id: PROJECT_ID,
  name: 'Launch',
  createdBy: owner.id,
  createdAt: AT,
  updatedAt: AT,
  version: 1,
  members: [{ userId: owner.id, role: 'owner', addedAt: AT }],
};

/**
 * The projects of the document's examples, for every context's examples to name: a new
 * project of the example owner, the same project once the example editor joined, and once that
 * editor was made a viewer.
 */
export const PROJECT_EXAMPLES = {
  project,
  projectWithEditor: {
    ...project,
    version: 2,
    updatedAt: LATER,
    members: [...project.members, { userId: editor.id, role: 'editor', addedAt: LATER }],
  },
  projectWithEditorAsViewer: {
    ...project,
    version: 3,
    updatedAt: LATEST,
    members: [...project.members, { userId: editor.id, role: 'viewer', addedAt: LATER }],
  },
} as const;

/** What the projects context adds to the OpenAPI document besides its routes. */
export const PROJECT_OPENAPI: OpenApiDocumentation = {
  tags: [
    {
      name: 'projects',
      description: 'Projects and their members with roles (owner, editor, viewer).',
    },
    { name: 'live', description: 'A project’s events as they commit, over Server-Sent Events.' },
  ],
  schemas: [
    [ProjectRoleSchema, 'ProjectRole'],
    [S.MemberSchema, 'Member'],
    [S.ProjectResponse, 'Project'],
    [S.ProjectPage, 'ProjectPage'],
    [S.StreamTicketResponse, 'StreamTicket'],
  ],
  problemDetails: {
    EMAIL_NOT_FOUND: 'no user has this e-mail address',
    OWNER_REQUIRED: 'only a project owner may change its members',
    ROLE_FORBIDDEN: 'role viewer may not change tasks in this project',
    PROJECT_NOT_FOUND: `project ${PROJECT_ID} not found`,
    MEMBER_NOT_FOUND: `user ${editor.id} is not a member of this project`,
    ALREADY_MEMBER: `user ${editor.id} is already a member of this project`,
    LAST_OWNER: 'a project must keep at least one owner',
    STREAMING_NOT_SUPPORTED: 'this deployment delivers live updates over its WebSocket API',
  },
};
