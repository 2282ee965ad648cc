import { type MigrationStep, indexStep, tableStep } from '@taskflow/platform-postgres';

/**
 * The users context's tables: users, unique by e-mail (case-insensitive).
 * Step names are ledger keys in deployed databases: never renamed, and applied in name order
 * with every other part's steps (`assembleMigrationSteps`).
 */
export const USERS_MIGRATION_STEPS: readonly MigrationStep[] = [
  tableStep(
    '0001-create-users',
    `CREATE TABLE IF NOT EXISTS users (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      email text NOT NULL,
      email_lower text NOT NULL,
      version integer NOT NULL,
      created_at timestamptz NOT NULL
    )`,
  ),
  indexStep('0002-index-users-email', 'users_email_lower_key ON users (email_lower)', true),
];
