import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** What one invocation of a bundle's handler did. */
export type BundleInvocation =
  | { readonly ok: true; readonly value: unknown; readonly ms: number }
  | { readonly ok: false; readonly error: { name: string; message: string }; readonly ms: number };

/** The outcome of loading a bundle in a fresh Node.js process and invoking its handler. */
export interface BundleRun {
  /** Time to `require` the bundle (module load and module-scope code). */
  readonly loadMs: number;
  readonly invocations: readonly BundleInvocation[];
  /** Every output line the bundle wrote that is JSON (structured logs, EMF metrics). */
  readonly logs: readonly Record<string, unknown>[];
  /** Every other output line, for diagnosing failures. */
  readonly otherOutput: string;
}

const MARKER = '@@taskflow-bundle-run@@';

// Runs inside the child: loads the bundle, invokes its handler once per event with a Lambda-like
// context, prints the outcome on one marked line, and exits (pools would keep it alive).
const DRIVER = `
const { performance } = require('node:perf_hooks');
const [bundle, functionName, eventsJson] = process.argv.slice(1);
const started = performance.now();
const mod = require(bundle);
const loadMs = performance.now() - started;
(async () => {
  const invocations = [];
  for (const event of JSON.parse(eventsJson)) {
    const deadline = Date.now() + 30000;
    const context = {
      callbackWaitsForEmptyEventLoop: true, functionName, functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:' + functionName,
      memoryLimitInMB: '512', awsRequestId: require('node:crypto').randomUUID(),
      logGroupName: '/aws/lambda/' + functionName, logStreamName: '2026/11/24/[$LATEST]0000',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done() {}, fail() {}, succeed() {},
    };
    const t = performance.now();
    try {
      const value = await mod.handler(event, context);
      invocations.push({ ok: true, value: value === undefined ? null : value, ms: performance.now() - t });
    } catch (error) {
      invocations.push({ ok: false, error: { name: error && error.name, message: String(error && error.message) }, ms: performance.now() - t });
    }
  }
  process.stdout.write('${MARKER}' + JSON.stringify({ loadMs, invocations }) + '\\n', () => process.exit(0));
})();
`;

/**
 * Loads a built Lambda bundle in a fresh Node.js process, as a new execution environment does,
 * and invokes its exported `handler` with each event in turn.
 *
 * @param bundle - path of the bundle (`dist/apps/lambda-api/main.js`).
 * @param env - the function's environment (added to this process's PATH and the like).
 */
export async function invokeBundle(
  bundle: string,
  events: readonly unknown[],
  env: Readonly<Record<string, string>>,
  options: { readonly functionName?: string; readonly timeoutMs?: number } = {},
): Promise<BundleRun> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      DRIVER,
      resolve(bundle),
      options.functionName ?? 'taskflow-test',
      JSON.stringify(events),
    ],
    {
      // What the Lambda runtime sets for an on-demand function, then the function's own.
      env: {
        PATH: process.env['PATH'] ?? '',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        AWS_LAMBDA_FUNCTION_NAME: options.functionName ?? 'taskflow-test',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timeoutMs = options.timeoutMs ?? 60_000;
  const code = await new Promise<number | null>((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(
        new Error(`bundle ${bundle} did not finish within ${timeoutMs} ms:\n${stdout}\n${stderr}`),
      );
    }, timeoutMs);
    child.on('error', fail);
    child.on('exit', (exitCode) => {
      clearTimeout(timer);
      done(exitCode);
    });
  });
  const logs: Record<string, unknown>[] = [];
  const other: string[] = [];
  type Outcome = { loadMs: number; invocations: BundleInvocation[] };
  let outcome = null as Outcome | null;
  // Logs go to both streams (Powertools writes warnings and errors to stderr).
  for (const line of `${stdout}\n${stderr}`.split('\n')) {
    if (line.startsWith(MARKER)) {
      outcome = JSON.parse(line.slice(MARKER.length)) as Outcome;
      continue;
    }
    if (line.trim() === '') continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed !== null && typeof parsed === 'object')
        logs.push(parsed as Record<string, unknown>);
      else other.push(line);
    } catch {
      other.push(line);
    }
  }
  if (outcome === null) {
    throw new Error(
      `bundle ${bundle} exited with ${String(code)} before reporting:\n${stdout}\n${stderr}`,
    );
  }
  return { ...outcome, logs, otherOutput: other.join('\n') };
}
