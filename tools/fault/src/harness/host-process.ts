import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAULT_JWT_SECRET } from './fault-database';
import { TypeScriptProcess } from './child-process';

const HOST_MAIN = join('apps', 'host', 'src', 'main.ts');
const READY = /Taskflow is running at (http:\/\/\S+)/;
const START_TIMEOUT_MS = 60_000;

/** Settings of a host under test beyond its database. */
export interface HostProcessOptions {
  readonly databaseUrl: string;
  /** Extra environment (EventBridge bus, endpoint, credentials...). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The real host (`apps/host/src/main.ts`, what `npm run start:dev` runs) in a child process on a
 * test database: it can be killed with SIGKILL mid-stream and started again on the same port
 * and database, as a crashed server is restarted by its supervisor.
 */
export class HostProcess {
  private process: TypeScriptProcess | null = null;
  private port = 0;
  private baseUrl = '';
  /** Start-ups, the first one included. */
  starts = 0;

  private constructor(
    private readonly options: HostProcessOptions,
    private readonly dataDir: string,
  ) {}

  /** Starts a host and resolves once it listens. */
  static async start(options: HostProcessOptions): Promise<HostProcess> {
    const dataDir = await mkdtemp(join(tmpdir(), 'taskflow-fault-host-'));
    const host = new HostProcess(options, dataDir);
    try {
      await host.launch();
    } catch (error) {
      await rm(dataDir, { recursive: true, force: true });
      throw error;
    }
    return host;
  }

  /** Base URL, e.g. `http://127.0.0.1:40123`; the same across restarts. */
  get url(): string {
    return this.baseUrl;
  }

  /** kill -9 the host: requests in flight are cut, nothing is flushed or published. */
  async kill9(): Promise<void> {
    await this.process?.kill9();
    this.process = null;
  }

  /** Starts the host again on the same port and database; resolves once it listens. */
  async restart(): Promise<void> {
    if (this.process !== null) throw new Error('the host is still running');
    await this.launch();
  }

  /** Stops the host cleanly (SIGTERM: drains requests, publishes, closes) and removes its files. */
  async stop(): Promise<void> {
    await this.process?.stop();
    this.process = null;
    await rm(this.dataDir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const child = TypeScriptProcess.spawn('host', HOST_MAIN, [], {
      DATABASE_URL: this.options.databaseUrl,
      JWT_SECRET: FAULT_JWT_SECRET,
      HOST: '127.0.0.1',
      PORT: String(this.port),
      TASKFLOW_DATA_DIR: this.dataDir,
      TASKFLOW_DEMO_TOKEN: 'false',
      LOG_LEVEL: 'warn',
      ...this.options.env,
    });
    this.process = child;
    this.starts += 1;
    try {
      this.baseUrl = await waitForReady(child);
    } catch (error) {
      await child.kill9();
      this.process = null;
      throw error;
    }
    this.port = Number(new URL(this.baseUrl).port);
  }
}

function waitForReady(child: TypeScriptProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      reject(
        new Error(`the host did not start within ${START_TIMEOUT_MS} ms:\n${child.logTail()}`),
      );
    }, START_TIMEOUT_MS);
    child.child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const match = READY.exec(stdout);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void child.exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the host exited (${String(code)}) before listening:\n${child.logTail()}`));
    });
  });
}
