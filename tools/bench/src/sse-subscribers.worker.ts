import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import {
  type SubscriberThreadCommand,
  type SubscriberThreadInput,
  type SubscriberThreadMessage,
  Subscriber,
  openAll,
} from './sse-subscriber';

// A thread holding part of the benchmark's SSE streams (see sse-latency.ts): it records when
// each task's event arrived on each stream, reports progress, and hands everything over at the end.

const PROGRESS_MS = 100;
const OPEN_PARALLELISM = 10;

function main(port: NonNullable<typeof parentPort>, input: SubscriberThreadInput): void {
  const arrivals = new Map<string, number[]>();
  let total = 0;
  const arrived = (taskId: string, atMs: number): void => {
    const times = arrivals.get(taskId);
    if (times === undefined) arrivals.set(taskId, [atMs]);
    else times.push(atMs);
    total += 1;
  };
  const subscribers = input.urls.map((url) => new Subscriber(url, input.token, arrived));
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  const post = (message: SubscriberThreadMessage): void => {
    port.postMessage(message);
  };
  const chunks = (): number => subscribers.reduce((sum, s) => sum + s.chunks, 0);
  const progress = setInterval(() => {
    post({ kind: 'progress', arrivals: total, chunks: chunks() });
  }, PROGRESS_MS);

  port.on('message', (command: SubscriberThreadCommand) => {
    if (command.kind === 'window') {
      if (command.open) loopDelay.enable();
      else loopDelay.disable();
      return;
    }
    clearInterval(progress);
    for (const subscriber of subscribers) subscriber.close();
    const taskIds = [...arrivals.keys()];
    const counts = Int32Array.from(taskIds, (id) => arrivals.get(id)?.length ?? 0);
    const times = new Float64Array(total);
    let at = 0;
    for (const id of taskIds) {
      for (const time of arrivals.get(id) ?? []) times[at++] = time;
    }
    const message: SubscriberThreadMessage = {
      kind: 'arrivals',
      taskIds,
      counts,
      times,
      cut: subscribers.filter((s) => s.cut).length,
      loopDelayP99Ms: loopDelay.count === 0 ? Number.NaN : loopDelay.percentile(99) / 1e6,
    };
    port.postMessage(message, [counts.buffer, times.buffer]);
    port.close();
  });

  openAll(subscribers, OPEN_PARALLELISM).then(
    () => {
      post({ kind: 'open' });
    },
    (error: unknown) => {
      post({ kind: 'failed', error: String(error) });
    },
  );
}

if (parentPort !== null) main(parentPort, workerData as SubscriberThreadInput);
