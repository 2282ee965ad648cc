import autocannon from 'autocannon';
import type { LoadRunner, OutcomeListener } from './measurement';

/** One request to send; built anew for every request so that bodies and ids vary. */
export interface HttpCall {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string;
}

/** Options of {@link httpLoad}. */
export interface HttpLoadOptions {
  readonly baseUrl: string;
  readonly connections: number;
  readonly headers: Record<string, string>;
  /** The status every response must have; any other is counted as unexpected. */
  readonly expectedStatus: number;
  readonly next: () => HttpCall;
}

// Far longer than any measurement: the run is ended by stop(), never by autocannon's clock.
const SAFETY_DURATION_S = 600;

/**
 * A closed-loop HTTP load by autocannon, in this process: `connections` keep-alive connections,
 * one request in flight on each (no pipelining), each sent as soon as the previous answered.
 */
export function httpLoad(options: HttpLoadOptions): LoadRunner {
  let instance: autocannon.Instance | null = null;
  let finished: Promise<void> = Promise.resolve();
  return {
    start(listener: OutcomeListener): void {
      finished = new Promise<void>((resolve, reject) => {
        instance = autocannon(
          {
            url: options.baseUrl,
            connections: options.connections,
            pipelining: 1,
            duration: SAFETY_DURATION_S,
            timeout: 10,
            // stop() takes effect at the next sample tick: keep that wait short.
            sampleInt: 100,
            headers: options.headers,
            requests: [
              {
                setupRequest: (request) => {
                  const call = options.next();
                  return {
                    ...request,
                    method: call.method,
                    path: call.path,
                    ...(call.body === undefined ? {} : { body: call.body }),
                  };
                },
              },
            ],
          },
          (error) => {
            if (error) reject(error);
            else resolve();
          },
        );
        instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
          listener(ms, status === options.expectedStatus ? 'ok' : 'unexpected');
        });
        instance.on('reqError', () => {
          listener(Number.NaN, 'error');
        });
      });
    },
    async stop(): Promise<void> {
      instance?.stop();
      await finished;
    },
  };
}
