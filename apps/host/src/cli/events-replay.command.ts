import { TASKFLOW_EVENTS } from '@taskflow/app-composition';
import { createPublisher } from '../eventing';
import { runCommand } from './run-command';
import { helpIfAsked } from './usage';

const USAGE = `usage: npm run events:replay -- --since <ISO date-time> [--type <event type>]... [--dry-run]

Publishes again every event of the outbox log that occurred at or after --since (optionally only
the given types), with its original id, through the same publisher as the relay: the local bus,
or EventBridge when EVENT_BUS_NAME and AWS credentials are set. On AWS the bus archive replays.`;

const PAGE = 500;

/** Parsed arguments, or a usage error. */
function parse(
  args: readonly string[],
): { since: Date; types: string[] | null; dryRun: boolean } | string {
  let since: Date | null = null;
  const types: string[] = [];
  let dryRun = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '--since') {
      const value = args[(i += 1)];
      const millis = value === undefined ? Number.NaN : Date.parse(value);
      if (Number.isNaN(millis)) return `--since needs an ISO date-time, got ${value ?? 'nothing'}`;
      since = new Date(millis);
    } else if (arg === '--type') {
      const value = args[(i += 1)];
      if (value === undefined || TASKFLOW_EVENTS.definitionOf(value) === undefined) {
        return `--type must be one of ${TASKFLOW_EVENTS.definitions.map((d) => d.type).join(', ')}`;
      }
      types.push(value);
    } else if (arg === '--dry-run') {
      dryRun = true;
    } else {
      return `unknown argument ${arg ?? ''}`;
    }
  }
  if (since === null) return '--since is required';
  return { since, types: types.length > 0 ? types : null, dryRun };
}

helpIfAsked(process.argv.slice(2), USAGE);
const parsed = parse(process.argv.slice(2));
if (typeof parsed === 'string') {
  process.stderr.write(`${parsed}\n\n${USAGE}\n`);
  process.exit(2);
}

runCommand(async (host) => {
  const publisher = createPublisher(host);
  let afterId: string | null = null;
  let published = 0;
  const failed: string[] = [];
  for (;;) {
    const page = await host.persistence.outbox.readSince({
      since: parsed.since,
      types: parsed.types,
      afterId,
      limit: PAGE,
    });
    if (page.length === 0) break;
    afterId = page[page.length - 1]?.id ?? null;
    if (parsed.dryRun) {
      published += page.length;
      continue;
    }
    const outcome = await publisher.publish(page);
    published += outcome.published.length;
    failed.push(...outcome.failed.map((f) => `${f.id}: ${f.reason}`));
  }
  process.stdout.write(
    `${parsed.dryRun ? 'would replay' : 'replayed'} ${published} events since ${parsed.since.toISOString()}\n`,
  );
  if (failed.length > 0) {
    process.stderr.write(`${failed.length} not published:\n${failed.join('\n')}\n`);
    process.exitCode = 1;
  }
});
