import type { Persistence } from '@taskflow/app-composition';
import type { Statement } from '@taskflow/platform-postgres';
import type { Actors } from './seed';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

function walk(node: PlanNode, visit: (node: PlanNode) => void): void {
  visit(node);
  for (const child of node.Plans ?? []) walk(child, visit);
}

/**
 * How PostgreSQL runs a statement now: the scan that reads `tasks`, the rows it read and threw
 * away, and the execution time (EXPLAIN ANALYZE, so the statement really runs).
 */
export async function planOf(persistence: Persistence, statement: Statement): Promise<string> {
  const { rows } = await persistence.db.query<{
    'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }];
  }>({
    text: `EXPLAIN (ANALYZE, FORMAT JSON) ${statement.text}`,
    values: statement.values,
  });
  const explained = rows[0]?.['QUERY PLAN'][0];
  if (explained === undefined) return 'no plan';
  const scans: string[] = [];
  let removed = 0;
  walk(explained.Plan, (node) => {
    removed += node['Rows Removed by Filter'] ?? 0;
    if (node['Index Name'] !== undefined) {
      scans.push(
        `${node['Node Type']}${node['Scan Direction'] === 'Backward' ? ' Backward' : ''} on ${node['Index Name']}`,
      );
    } else if (node['Node Type'] === 'Seq Scan') {
      scans.push('Seq Scan');
    }
  });
  return `${scans.join(' + ')}; ${removed.toLocaleString('en-US')} rows filtered out; ${explained['Execution Time'].toFixed(2)} ms`;
}

/** Tasks of other projects with ids above the seeded project's newest: what a pkey scan skips. */
export async function newerThanSeeded(persistence: Persistence, actors: Actors): Promise<number> {
  const { rows } = await persistence.db.query<{ newer: number }>({
    text: `SELECT count(*) AS newer FROM tasks
           WHERE id > (SELECT id FROM tasks WHERE project_id = $1 ORDER BY id DESC LIMIT 1) AND project_id <> $1`,
    values: [actors.readProjectId],
  });
  return rows[0]?.newer ?? 0;
}
