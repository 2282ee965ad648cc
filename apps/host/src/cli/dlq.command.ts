import type { DeadLetter } from '@taskflow/platform-event-routing';
import { systemClock } from '@taskflow/platform-kernel';
import { EventProcessingError } from '@taskflow/tasks-inbound';
import type { Host } from '../composition';
import { createTaskProcessor } from '../eventing';
import { runCommand } from './run-command';
import { helpIfAsked } from './usage';

const USAGE = `usage: npm run dlq -- list [--all] [--limit <n>]   letters waiting (--all: replayed ones too)
       npm run dlq -- show <id>                      one letter with its whole event
       npm run dlq -- replay <id> | --all            send letters through the processor again

A replay keeps the event's id, so an event that was processed meanwhile changes nothing.
A letter that still fails stays in the queue with its original reason.`;

/** Letters of these targets are the processor's: the only ones a replay here may resend. */
const PROCESSOR_TARGETS: ReadonlySet<string | null> = new Set(['processor', null]);

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function flagValue(args: readonly string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  return at >= 0 ? args[at + 1] : undefined;
}

async function list(host: Host, args: readonly string[]): Promise<void> {
  const limit = Number(flagValue(args, '--limit') ?? 100);
  if (!Number.isInteger(limit) || limit < 1) throw new Error('--limit takes a positive integer');
  const includeReplayed = args.includes('--all');
  const letters = await host.persistence.deadLetters.list({ limit, includeReplayed });
  if (letters.length === 0) {
    out(includeReplayed ? 'no dead letters' : 'no dead letters waiting');
    return;
  }
  const header = [
    'ID',
    'FAILED AT',
    'DETAIL TYPE',
    'TARGET',
    'ATTEMPTS',
    ...(includeReplayed ? ['REPLAYED AT'] : []),
    'REASON',
  ];
  out(header.join('\t'));
  for (const letter of letters) {
    out(
      [
        letter.id,
        letter.failedAt,
        letter.detailType,
        letter.target ?? '-',
        String(letter.attempts),
        ...(includeReplayed ? [letter.replayedAt ?? '-'] : []),
        letter.reason,
      ].join('\t'),
    );
  }
}

async function show(host: Host, id: string | undefined): Promise<void> {
  const letter = id === undefined ? null : await host.persistence.deadLetters.get(id);
  if (letter === null) throw new Error(`no dead letter ${id ?? '(id missing)'}`);
  out(JSON.stringify(letter, null, 2));
}

async function replay(host: Host, args: readonly string[]): Promise<void> {
  const [target] = args;
  let letters: DeadLetter[];
  if (target === '--all') {
    letters = await host.persistence.deadLetters.list({ limit: 1_000, includeReplayed: false });
  } else {
    const letter = target === undefined ? null : await host.persistence.deadLetters.get(target);
    if (letter === null) throw new Error(`no dead letter ${target ?? '(id missing)'}`);
    if (letter.replayedAt !== null)
      throw new Error(`dead letter ${letter.id} was replayed at ${letter.replayedAt}`);
    letters = [letter];
  }
  const processor = createTaskProcessor(host);
  let failed = 0;
  for (const letter of letters) {
    if (!PROCESSOR_TARGETS.has(letter.target)) {
      out(`skipped ${letter.id}: its target ${letter.target ?? '?'} does not run in this command`);
      continue;
    }
    try {
      const outcome = await processor.process(letter.event);
      await host.persistence.deadLetters.markReplayed(letter.id, systemClock.now());
      out(
        `replayed ${letter.id} (event ${outcome.eventId}): ${outcome.duplicate ? 'already processed, nothing changed' : `${outcome.eventType} task ${outcome.taskId}`}`,
      );
    } catch (error) {
      failed += 1;
      const kind =
        error instanceof EventProcessingError && !error.retryable
          ? 'still refused'
          : 'still failing';
      out(`${kind} ${letter.id}: ${(error as Error).message}`);
    }
  }
  if (letters.length === 0) out('no dead letters waiting');
  if (failed > 0) process.exitCode = 1;
}

helpIfAsked(process.argv.slice(2), USAGE);
const [verb, ...rest] = process.argv.slice(2);
switch (verb) {
  case 'list':
    runCommand((host) => list(host, rest));
    break;
  case 'show':
    runCommand((host) => show(host, rest[0]));
    break;
  case 'replay':
    runCommand((host) => replay(host, rest));
    break;
  default:
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = 2;
}
