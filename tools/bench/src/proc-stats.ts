import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** CPU time consumed so far, in milliseconds, by each party of a benchmark. */
export interface CpuSample {
  /** performance.now() when the sample was taken. */
  readonly atMs: number;
  /** The measured host process (all its threads). */
  readonly hostMs: number;
  /** This process: the HTTP load generator, or the baseline's workers. */
  readonly benchMs: number;
  /** CPU time of the PostgreSQL processes working for the run's database, by pid. */
  readonly postgresMs: ReadonlyMap<number, number>;
  /** Busy time of all cores together (user, system, irq, softirq, steal), from /proc/stat. */
  readonly machineBusyMs: number;
}

/** Resident memory of a process, in MiB. */
export interface Memory {
  readonly rssMb: number;
  /** VmHWM: the peak resident set since the process started. */
  readonly peakMb: number;
}

const TICKS_PER_SECOND = readTicksPerSecond();

function readTicksPerSecond(): number {
  try {
    const ticks = Number.parseInt(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }), 10);
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** User plus system CPU time of a process and all its threads, in ms; 0 once it is gone. */
export function processCpuMs(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // The command name may hold spaces and parentheses: fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11] ?? 0);
  const stime = Number(fields[12] ?? 0);
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

/**
 * CPU time, in ms by pid, of the `postgres` processes that work for `database`: its backends
 * and the server's shared processes (postmaster, WAL writer, checkpointer…). Other databases'
 * backends are left out: on a shared server they are someone else's load.
 */
export function postgresCpuMs(database: string): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
      // A client backend names itself "postgres: user database host(port) state".
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const isClientBackend = /\(\d+\)/.test(title);
      if (!isClientBackend || title.includes(` ${database} `)) {
        byPid.set(Number(entry), processCpuMs(Number(entry)));
      }
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return byPid;
}

/**
 * PostgreSQL CPU between two samples. Backends come and go (pools close idle connections), so
 * the difference of two totals would subtract the whole life of every backend that exited:
 * only processes alive at the end count, from their first sample or from their start.
 */
export function postgresCpuBetween(first: CpuSample, last: CpuSample): number {
  let total = 0;
  for (const [pid, ms] of last.postgresMs) total += ms - (first.postgresMs.get(pid) ?? 0);
  return total;
}

/** Busy time of all cores together since boot, in ms: everything but idle and iowait. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal (guest time is already in user).
  const [user, nice, system, , , irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = [user, nice, system, irq, softirq, steal].reduce<number>(
    (sum, v) => sum + (v ?? 0),
    0,
  );
  return (busy * 1000) / TICKS_PER_SECOND;
}

/** Takes a CPU sample of the server, this process, PostgreSQL and the whole machine. */
export function sampleCpu(hostPid: number, database: string): CpuSample {
  const own = process.cpuUsage();
  return {
    atMs: performance.now(),
    hostMs: processCpuMs(hostPid),
    benchMs: (own.user + own.system) / 1000,
    postgresMs: postgresCpuMs(database),
    machineBusyMs: machineBusyMs(),
  };
}

/** Current and peak resident memory of a process, from /proc/<pid>/status. */
export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match?.[1] === undefined ? 0 : Number(match[1]);
  };
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** The pids a process has started and that still run (from every thread's `children` list). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const listed = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (listed !== '') children.push(...listed.split(' ').map(Number));
    }
  } catch {
    // Gone, or /proc without `children` (kernels built without CONFIG_PROC_CHILDREN).
  }
  return children;
}

/** The command line of a process, arguments joined by spaces. */
export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '?';
  }
}
