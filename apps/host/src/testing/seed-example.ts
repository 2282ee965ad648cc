import type { PutEventsEntry } from '@taskflow/platform-local-bus';

/**
 * The seed's `aws events put-events --entries` example (000_854b874638a00669.txt), verbatim: the
 * `--entries` JSON as a shell user passes it.
 */
export const SEED_ENTRIES = `[{
  "Source": "task.management",
  "DetailType": "Task Created",
  "Detail": "{\\"eventType\\":\\"task.created\\",\\"taskData\\":{\\"title\\":\\"Test Task\\",\\"description\\":\\"Testing the system\\",\\"priority\\":\\"high\\",\\"assigned_to\\":\\"user@example.com\\",\\"created_by\\":\\"manager@example.com\\"}}",
  "EventBusName": "real-time-task-mgmt-events-xxxxx"
}]`;

const [seedEntry] = JSON.parse(SEED_ENTRIES) as PutEventsEntry[];
if (seedEntry === undefined) throw new Error('the seed example has no entry');

/** The seed example's one entry, as `PutEvents` takes it. */
export const SEED_ENTRY: PutEventsEntry = seedEntry;
