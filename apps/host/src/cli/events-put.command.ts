import { readFileSync } from 'node:fs';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { createEventBridgeClient } from '@taskflow/platform-eventbridge';
import type { PutEventsEntry, PutEventsResult } from '@taskflow/platform-local-bus';
import type { ProcessingOutcome } from '@taskflow/tasks-inbound';
import { z } from 'zod';
import type { Host } from '../composition';
import { ConfigError, type HostConfig, loadConfig } from '../config';
import { createLocalBus, createTaskProcessor } from '../eventing';
import { runCommand } from './run-command';
import { helpIfAsked } from './usage';

const USAGE = `usage: npm run events:put -- --entries '<json>'
       npm run events:put -- --entries file://entries.json

Takes the JSON of \`aws events put-events --entries\`: an array of 1 to 10
{ Source, DetailType, Detail (a JSON string), EventBusName?, Time?, Resources? }.
Locally the events go through the in-process bus to the task processor, against the database
of the running host; with EVENT_BUS_NAME and AWS credentials set, they go to EventBridge.
The PutEvents result is printed on stdout, what became of each event on stderr.`;

// Strict, as the AWS CLI is: an unknown member is a typo, not something to ignore.
const EntriesSchema = z
  .array(
    z.strictObject({
      Source: z.string().optional(),
      DetailType: z.string().optional(),
      Detail: z.string().optional(),
      EventBusName: z.string().optional(),
      Time: z.string().optional(),
      Resources: z.array(z.string()).optional(),
      TraceHeader: z.string().optional(),
    }),
  )
  .min(1)
  .max(10);
type Entries = z.infer<typeof EntriesSchema>;

/** The entries given with `--entries <json>`, `--entries=<json>` or `--entries file://path`. */
function readEntries(args: readonly string[]): Entries {
  const at = args.findIndex((arg) => arg === '--entries' || arg.startsWith('--entries='));
  const flag = args[at];
  const raw = flag?.startsWith('--entries=') ? flag.slice('--entries='.length) : args[at + 1];
  if (at < 0 || raw === undefined) throw new UsageError('--entries is required');
  const text = raw.startsWith('file://') ? readFileSync(raw.slice('file://'.length), 'utf8') : raw;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--entries is not JSON: ${(error as Error).message}`);
  }
  const parsed = EntriesSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'entries'}: ${i.message}`);
    throw new UsageError(`--entries: ${issues.join('; ')}`);
  }
  return parsed.data;
}

class UsageError extends Error {}

/** The entry without its absent members (parsed JSON has none, but the type allows them). */
function definedOnly(entry: Entries[number]): PutEventsEntry {
  return Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined));
}

function print(result: PutEventsResult): void {
  process.stdout.write(`${JSON.stringify(result, null, 4)}\n`);
}

function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Sends the entries with PutEvents to the configured bus (the entries' EventBusName is replaced). */
async function putOnEventBridge(config: HostConfig, entries: Entries): Promise<void> {
  const busName = config.events.busName ?? '';
  const client = createEventBridgeClient({
    region: config.region,
    ...(config.events.endpoint === null ? {} : { endpoint: config.events.endpoint }),
  });
  try {
    const output = await client.send(
      new PutEventsCommand({
        Entries: entries.map(({ Time, ...entry }) => ({
          ...entry,
          EventBusName: busName,
          ...(Time === undefined ? {} : { Time: new Date(Time) }),
        })),
      }),
    );
    const result: PutEventsResult = {
      FailedEntryCount: output.FailedEntryCount ?? 0,
      Entries: (output.Entries ?? []).map((entry) =>
        entry.ErrorCode === undefined
          ? { EventId: entry.EventId ?? '' }
          : { ErrorCode: entry.ErrorCode, ErrorMessage: entry.ErrorMessage ?? '' },
      ),
    };
    print(result);
    note(`sent to EventBridge bus ${busName} in ${config.region}`);
    if (result.FailedEntryCount > 0) process.exitCode = 1;
  } finally {
    client.destroy();
  }
}

/** Puts the entries on the in-process bus and waits until the processor has dealt with them. */
async function putLocally(host: Host, entries: Entries): Promise<void> {
  const processor = createTaskProcessor(host);
  let deadLettered = 0;
  const describe = (outcome: ProcessingOutcome): string =>
    `${outcome.duplicate ? 'already processed' : 'processed'} ${outcome.eventId}: ${outcome.eventType} ` +
    `task ${outcome.taskId} (project ${outcome.projectId}, version ${outcome.taskVersion})`;
  const bus = createLocalBus(
    host,
    {
      processor: async (event) => {
        const outcome = await processor.process(event);
        note(describe(outcome));
        return outcome;
      },
    },
    {
      retrying: (d) =>
        note(`retrying ${d.event.id} (${d.target}, attempt ${d.attempt}): ${d.reason}`),
      deadLettered: (letter) => {
        deadLettered += 1;
        note(
          `dead-lettered ${letter.event.id} (${letter.target ?? '?'}) after ${letter.attempts} attempt(s): ${letter.reason}` +
            ' — see `npm run dlq -- list`',
        );
      },
      deadLetterFailed: (letter, error) => {
        deadLettered += 1;
        note(
          `LOST ${letter.event.id}: could not store the dead letter (${String(error)}); reason was ${letter.reason}`,
        );
      },
      accepted: (event, rules) => {
        if (rules.length === 0)
          note(`no rule matches ${event.id} (${event.source} / ${event['detail-type']})`);
      },
    },
  );
  const result = await bus.putEvents(entries.map(definedOnly));
  print(result);
  await bus.drain();
  if (result.FailedEntryCount > 0 || deadLettered > 0) process.exitCode = 1;
}

function main(): void {
  let entries: Entries;
  let config: HostConfig;
  helpIfAsked(process.argv.slice(2), USAGE);
  try {
    entries = readEntries(process.argv.slice(2));
    config = loadConfig(process.env, { LOG_LEVEL: 'warn' });
  } catch (error) {
    process.stderr.write(
      error instanceof UsageError
        ? `${error.message}\n\n${USAGE}\n`
        : `${(error as Error).message}\n`,
    );
    process.exitCode = error instanceof UsageError || error instanceof ConfigError ? 2 : 1;
    return;
  }
  if (config.events.useEventBridge) {
    putOnEventBridge(config, entries).catch((error: unknown) => {
      process.stderr.write(`PutEvents failed: ${(error as Error).message}\n`);
      process.exitCode = 1;
    });
    return;
  }
  if (config.events.busName !== null) {
    note(`EVENT_BUS_NAME is set but no AWS credentials are: using the local bus`);
  }
  runCommand((host) => putLocally(host, entries));
}

main();
