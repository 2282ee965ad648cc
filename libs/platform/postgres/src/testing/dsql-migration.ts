import { type MigrationUnit, dsqlMigrationViolations, migrationUnitsOnDsql } from '../dsql-rules';
import type { MigrationStep } from '../migrations/migration-steps';

/**
 * Runs `steps` as the runner sends them on the dsql dialect and expects them to keep Aurora
 * DSQL's rules, the ledger's DDL and each step in a transaction of its own, one statement each.
 *
 * @returns those transactional units, for a spec's own checks of their statements
 */
export async function expectDsqlMigration(
  steps: readonly MigrationStep[],
): Promise<MigrationUnit[]> {
  const units = await migrationUnitsOnDsql(steps);
  expect(dsqlMigrationViolations(units)).toEqual([]);
  const ddl = units.filter((unit) => unit.inTransaction);
  expect(ddl).toHaveLength(steps.length + 1);
  expect(ddl.every((unit) => unit.statements.length === 1)).toBe(true);
  return ddl;
}
