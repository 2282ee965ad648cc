import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** A host started as `npm start` starts it, in a process group of its own (as a terminal's job). */
class HostProcess {
  public stdout = '';
  public stderr = '';
  public readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  public constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'apps/host/src/main.ts')], {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        TASKFLOW_DEMO_TOKEN: 'false',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** The URL it printed, once it serves. */
  public async url(): Promise<string> {
    for (;;) {
      const url = /running at (http:\S+)/.exec(this.stdout)?.[1];
      if (url !== undefined) return url;
      const code = await Promise.race([
        this.exited,
        new Promise<'wait'>((resolve) => setTimeout(() => resolve('wait'), 50)),
      ]);
      if (code !== 'wait') throw new Error(`the host exited (${String(code)}):\n${this.stderr}`);
    }
  }

  /** Ctrl-C in a terminal: SIGINT to the whole foreground process group. */
  public interrupt(): void {
    if (this.child.pid !== undefined) process.kill(-this.child.pid, 'SIGINT');
  }
}

function occupiedPort(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** No line of a stack trace (`    at fn (file:line:col)`) and no warning or error log line. */
const CALM = { stack: /^\s+at /m, warning: /"level":(40|50|60)/ };

describe('npm start, as a new user meets it', () => {
  let workDir: string;
  let first: HostProcess;
  let firstUrl: string;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'taskflow-startup-'));
    // As root the embedded PostgreSQL runs as `postgres`, which must traverse the folder.
    await chmod(workDir, 0o755);
    first = new HostProcess({ TASKFLOW_DATA_DIR: join(workDir, 'first'), PORT: '0' });
    firstUrl = await first.url();
  });

  afterAll(async () => {
    first.interrupt();
    await first.exited;
    await rm(workDir, { recursive: true, force: true });
  });

  it('a second host on the same data folder says how to run one beside it, and leaves the first running', async () => {
    // Act
    const second = new HostProcess({ TASKFLOW_DATA_DIR: join(workDir, 'first'), PORT: '0' });
    const code = await second.exited;

    // Assess
    expect(code).toBe(1);
    expect(second.stderr).toContain('TASKFLOW_DATA_DIR=');
    expect(second.stderr).toContain('DATABASE_URL=postgres://');
    expect(second.stderr).not.toMatch(/kill/);
    expect(second.stderr).not.toMatch(CALM.stack);
    expect((await fetch(`${firstUrl}/health`)).status).toBe(200);
  });

  it('a port in use is one line naming it and PORT, and the database it started is stopped', async () => {
    // Prepare
    const taken = await occupiedPort();
    const port = (taken.address() as AddressInfo).port;
    const dataDir = join(workDir, 'port');

    try {
      // Act
      const host = new HostProcess({ TASKFLOW_DATA_DIR: dataDir, PORT: String(port) });
      const code = await host.exited;

      // Assess
      expect(code).toBe(1);
      expect(host.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(new RegExp(`^Port ${String(port)} is already in use.*PORT=`)),
      ]);
      expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
    } finally {
      taken.close();
    }
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['an invalid setting', { PORT: 'abc' }, /^invalid configuration: PORT/],
    ['a data folder under a file', { TASKFLOW_DATA_DIR: 'a-file/data' }, /is a file, not a folder/],
  ])('%s is a message without a stack trace', async (_case, env, message) => {
    // Prepare
    await writeFile(join(workDir, 'a-file'), '');
    const relative = env['TASKFLOW_DATA_DIR'];
    const dataDir = relative === undefined ? {} : { TASKFLOW_DATA_DIR: join(workDir, relative) };

    // Act
    const host = new HostProcess({ ...env, ...dataDir });
    const code = await host.exited;

    // Assess
    expect(code).toBe(1);
    expect(host.stderr).toMatch(message);
    expect(host.stderr).not.toMatch(CALM.stack);
  });

  it('Ctrl-C stops it cleanly: no warning, no stack trace, exit 0', async () => {
    // Prepare
    const host = new HostProcess({ TASKFLOW_DATA_DIR: join(workDir, 'first-stop'), PORT: '0' });
    await host.url();

    // Act
    host.interrupt();
    const code = await host.exited;

    // Assess
    expect(code).toBe(0);
    expect(host.stdout + host.stderr).not.toMatch(CALM.warning);
    expect(host.stdout + host.stderr).not.toMatch(CALM.stack);
    expect(host.stdout).toContain('stopped cleanly');
  });
});
