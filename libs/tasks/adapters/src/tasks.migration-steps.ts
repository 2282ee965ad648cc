import { type MigrationStep, indexStep, tableStep } from '@taskflow/platform-postgres';

/**
 * The tasks context's tables: tasks, their audit trail (task_updates) and comments.
 * Step names are ledger keys in deployed databases: never renamed, and applied in name order
 * with every other part's steps (`assembleMigrationSteps`).
 */
export const TASKS_MIGRATION_STEPS: readonly MigrationStep[] = [
  tableStep(
    '0006-create-tasks',
    `CREATE TABLE IF NOT EXISTS tasks (
      id uuid PRIMARY KEY,
      project_id uuid NOT NULL,
      title text NOT NULL,
      description text NOT NULL,
      status text NOT NULL,
      priority text NOT NULL,
      assignee_id uuid,
      created_by uuid NOT NULL,
      due_date timestamptz,
      labels text NOT NULL,
      version integer NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      completed_at timestamptz,
      deleted_at timestamptz
    )`,
  ),
  indexStep('0007-index-tasks-by-project', 'tasks_project_idx ON tasks (project_id, id)'),
  indexStep(
    '0008-index-tasks-by-project-status',
    'tasks_project_status_idx ON tasks (project_id, status, id)',
  ),
  indexStep('0009-index-tasks-by-assignee', 'tasks_assignee_idx ON tasks (assignee_id, id)'),
  tableStep(
    '0010-create-task-updates',
    `CREATE TABLE IF NOT EXISTS task_updates (
      id uuid PRIMARY KEY,
      task_id uuid NOT NULL,
      version integer NOT NULL,
      field text NOT NULL,
      old_value text,
      new_value text,
      actor_id uuid,
      at timestamptz NOT NULL
    )`,
  ),
  indexStep(
    '0011-index-task-updates-by-task',
    'task_updates_task_idx ON task_updates (task_id, version)',
  ),
  tableStep(
    '0012-create-comments',
    `CREATE TABLE IF NOT EXISTS comments (
      id uuid PRIMARY KEY,
      task_id uuid NOT NULL,
      project_id uuid NOT NULL,
      author_id uuid NOT NULL,
      body text NOT NULL,
      created_at timestamptz NOT NULL
    )`,
  ),
  indexStep('0013-index-comments-by-task', 'comments_task_idx ON comments (task_id, id)'),
  // A task's place in its board column (an order key). Null for tasks stored before it existed:
  // TASK_RANK_SQL ranks those by creation instant, so no backfill has to run.
  {
    name: '0036-tasks-rank',
    sql: () => 'ALTER TABLE tasks ADD COLUMN IF NOT EXISTS rank text',
  },
];
