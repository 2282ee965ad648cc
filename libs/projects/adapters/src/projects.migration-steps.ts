import { type MigrationStep, indexStep, tableStep } from '@taskflow/platform-postgres';

/**
 * The projects context's tables: projects and their members.
 * Step names are ledger keys in deployed databases: never renamed, and applied in name order
 * with every other part's steps (`assembleMigrationSteps`).
 */
export const PROJECTS_MIGRATION_STEPS: readonly MigrationStep[] = [
  tableStep(
    '0003-create-projects',
    `CREATE TABLE IF NOT EXISTS projects (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      created_by uuid NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      version integer NOT NULL
    )`,
  ),
  tableStep(
    '0004-create-project-members',
    `CREATE TABLE IF NOT EXISTS project_members (
      project_id uuid NOT NULL,
      user_id uuid NOT NULL,
      role text NOT NULL,
      added_at timestamptz NOT NULL,
      PRIMARY KEY (project_id, user_id)
    )`,
  ),
  indexStep(
    '0005-index-members-by-user',
    'project_members_user_idx ON project_members (user_id, project_id)',
  ),
  // Bumped by every write that assigns the member a task, on Aurora DSQL only: the assignment
  // then writes the membership row that a removal deletes, so under DSQL's optimistic
  // concurrency one of the two aborts (40001) instead of both committing unseen by each other.
  // PostgreSQL locks the row instead (FOR KEY SHARE) and leaves the column null.
  {
    name: '0034-project-members-assignments',
    sql: () => 'ALTER TABLE project_members ADD COLUMN IF NOT EXISTS assignments integer',
  },
];
