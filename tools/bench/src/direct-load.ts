import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { LoadRunner, OutcomeListener } from './measurement';

/**
 * A closed-loop load without HTTP: `workers` concurrent loops, each starting its next operation
 * as soon as the previous one settled, like one keep-alive connection of the HTTP load. An
 * operation resolves true when it did what it should; a rejection counts as an error.
 */
export function directLoad(
  workers: number,
  operation: (worker: number) => Promise<boolean>,
): LoadRunner {
  const state = { running: false };
  let loops: Promise<void>[] = [];
  return {
    start(listener: OutcomeListener): void {
      state.running = true;
      loops = Array.from({ length: workers }, async (_, worker) => {
        while (state.running) {
          const started = performance.now();
          try {
            const ok = await operation(worker);
            listener(performance.now() - started, ok ? 'ok' : 'unexpected');
          } catch {
            listener(performance.now() - started, 'error');
            // A failure can be immediate: yield, or a failing loop would starve the timers.
            await yieldToEventLoop();
          }
        }
      });
    },
    async stop(): Promise<void> {
      state.running = false;
      await Promise.all(loops);
    },
  };
}
