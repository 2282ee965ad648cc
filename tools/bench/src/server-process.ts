import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { childrenOf, commandLineOf, type Memory, memoryOf } from './proc-stats';

/** How to start the host under test. */
export interface HostProcessOptions {
  readonly repoRoot: string;
  readonly databaseUrl: string;
  readonly poolSize: number;
  readonly jwtSecret: string;
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  /** Data folder the host is pointed at (it writes nothing there with DATABASE_URL and JWT_SECRET). */
  readonly dataDir: string;
  /** When set, the host runs with `--cpu-prof` and writes its profile in this folder on exit. */
  readonly cpuProfileDir: string | null;
  /** From source through tsx, or the built bundle. */
  readonly mode: 'tsx' | 'bundle';
  /** Host settings beyond these (e.g. the board's sign-in), as environment variables. */
  readonly settings?: Readonly<Record<string, string>>;
}

/** The bundle `npx nx build host` writes, relative to the repository root. */
export const HOST_BUNDLE = 'dist/apps/host/main.js';

/**
 * The Node.js flags `npm start` runs the host bundle with, read from package.json's start script
 * so that the benchmark cannot drift from what people run.
 */
export function startFlags(repoRoot: string): string[] {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    scripts?: { start?: string };
  };
  const start = manifest.scripts?.start ?? '';
  const flags = /\bnode((?: --\S+)*) dist\/apps\/host\/main\.js/.exec(start)?.[1];
  if (flags === undefined)
    throw new Error(`package.json's start script does not run node … ${HOST_BUNDLE}: ${start}`);
  return flags
    .trim()
    .split(/\s+/)
    .filter((flag) => flag !== '');
}

/** How to start the bare diagnostic server (see bare-server.ts). */
export interface BareServerOptions {
  readonly repoRoot: string;
  readonly databaseUrl: string;
  readonly poolSize: number;
  readonly userId: string;
  readonly projectId: string;
}

interface SpawnOptions {
  readonly repoRoot: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** A stdout line matching this announces the server; group 1 is its base URL. */
  readonly listening: RegExp;
  /** A path that must answer 200 before the server counts as ready, if any. */
  readonly healthPath: string | null;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const OUTPUT_TAIL_LINES = 40;

/**
 * A server under test in a child process, started as `node --import tsx <entry>`: the child's
 * pid is then the Node process that serves HTTP (the tsx CLI would put a wrapper process in
 * between, whose memory and CPU are not the server's).
 */
export class ServerProcess {
  private readonly exited: Promise<void>;
  private stopping: Promise<void> | null = null;

  private constructor(
    private readonly child: ChildProcess,
    /** Where the server listens, e.g. http://127.0.0.1:41234. */
    readonly url: string,
    private readonly output: string[],
  ) {
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
  }

  /** Starts the real host (`apps/host/src/main.ts`) on a free port; ready once /health is 200. */
  static startHost(options: HostProcessOptions): Promise<ServerProcess> {
    if (options.mode === 'bundle' && !existsSync(join(options.repoRoot, HOST_BUNDLE))) {
      return Promise.reject(
        new Error(`${HOST_BUNDLE} is missing: run \`npx nx build host\` first`),
      );
    }
    // The parent's database, token and embedded-server settings must not leak into the host.
    const env: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !/^(DATABASE_|JWT_|JWKS_|EMBEDDED_POSTGRES_)/.test(name),
      ),
    );
    Object.assign(env, {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: options.databaseUrl,
      DATABASE_POOL_SIZE: String(options.poolSize),
      JWT_SECRET: options.jwtSecret,
      JWT_ISSUER: options.jwtIssuer,
      JWT_AUDIENCE: options.jwtAudience,
      LOG_LEVEL: 'warn',
      TASKFLOW_DEMO_TOKEN: 'false',
      TASKFLOW_DATA_DIR: options.dataDir,
      ...options.settings,
    });
    const profiling =
      options.cpuProfileDir === null
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`];
    return ServerProcess.spawn({
      repoRoot: options.repoRoot,
      args:
        options.mode === 'bundle'
          ? [...profiling, ...startFlags(options.repoRoot), HOST_BUNDLE]
          : [...profiling, '--import', 'tsx', 'apps/host/src/main.ts'],
      env,
      listening: /Taskflow is running at (http:\/\/\S+)/,
      healthPath: '/health',
    });
  }

  /** Starts the bare `node:http` diagnostic server. */
  static startBare(options: BareServerOptions): Promise<ServerProcess> {
    const settings = {
      databaseUrl: options.databaseUrl,
      poolSize: options.poolSize,
      userId: options.userId,
      projectId: options.projectId,
    };
    return ServerProcess.spawn({
      repoRoot: options.repoRoot,
      args: ['--import', 'tsx', 'tools/bench/src/bare-server.ts', JSON.stringify(settings)],
      env: { ...process.env, NODE_ENV: 'production' },
      listening: /^listening (http:\/\/\S+)/,
      healthPath: null,
    });
  }

  private static async spawn(options: SpawnOptions): Promise<ServerProcess> {
    const child = spawn(process.execPath, options.args, {
      cwd: options.repoRoot,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    let announced: (url: string) => void = () => undefined;
    const listening = new Promise<string>((resolve) => {
      announced = resolve;
    });
    const collect = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        output.push(line);
        if (output.length > OUTPUT_TAIL_LINES) output.shift();
        const url = options.listening.exec(line)?.[1];
        if (url !== undefined) announced(url);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const exited = new Promise<never>((_, reject) => {
      child.once('exit', (code, signal) => {
        reject(
          new Error(
            `${options.args.join(' ')} exited before it was ready (code ${code ?? 'none'}, signal ${signal ?? 'none'}):\n${output.join('\n')}`,
          ),
        );
      });
    });
    exited.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`not ready after ${READY_TIMEOUT_MS / 1000} s:\n${output.join('\n')}`));
      }, READY_TIMEOUT_MS);
    });
    try {
      const url = await Promise.race([listening, exited, timedOut]);
      if (options.healthPath !== null) {
        const deadline = performance.now() + READY_TIMEOUT_MS;
        await Promise.race([waitFor200(`${url}${options.healthPath}`, deadline), exited, timedOut]);
      }
      return new ServerProcess(child, url, output);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The serving process's pid. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Current and peak (VmHWM) resident memory of the serving process. */
  memory(): Memory {
    this.assertRunning();
    return memoryOf(this.pid);
  }

  /** Throws, with the server's last output, when it is no longer running. */
  assertRunning(): void {
    const { exitCode, signalCode } = this.child;
    if (exitCode === null && signalCode === null) return;
    // Code 0 is the host's own SIGINT/SIGTERM handler: something outside the benchmark signalled it.
    const cause = exitCode === 0 ? ' after a SIGINT or SIGTERM from outside the benchmark' : '';
    throw new Error(
      `the server exited${cause} (code ${exitCode ?? 'none'}, signal ${signalCode ?? 'none'}):\n${this.output.join('\n')}`,
    );
  }

  /** What runs under the server's pid, and which processes it started (checked, not assumed). */
  describeProcessTree(): string {
    const children = childrenOf(this.pid).map((pid) => `${pid} ${commandLineOf(pid)}`);
    return `pid ${this.pid}: ${commandLineOf(this.pid)}; children: ${children.length === 0 ? 'none' : children.join(' | ')}`;
  }

  /** The server's last output lines (warnings and errors at LOG_LEVEL=warn). */
  outputTail(): readonly string[] {
    return [...this.output];
  }

  /** SIGTERM (the host drains and closes its pool), then SIGKILL if it does not exit in time. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return;
      this.child.kill('SIGTERM');
      const timeout = sleep(STOP_TIMEOUT_MS, false, { ref: false });
      if (!(await Promise.race([this.exited.then(() => true), timeout]))) {
        this.child.kill('SIGKILL');
        await this.exited;
      }
    })();
    return this.stopping;
  }
}

async function waitFor200(url: string, deadline: number): Promise<void> {
  while (performance.now() < deadline) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not accepting connections yet.
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer 200 in time`);
}
