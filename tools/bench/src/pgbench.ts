import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Statement } from '@taskflow/platform-postgres';
import type { IdGenerator } from '@taskflow/platform-kernel';
import { prepareValue } from 'pg/lib/utils';

/** What pgbench measured: committed transactions per second and latency percentiles. */
export interface PgbenchResult {
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly transactions: number;
  readonly failed: number;
}

/** `pgbench` on PATH, else the newest under /usr/lib/postgresql/<version>/bin; null if none. */
export function findPgbench(): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, 'pgbench'))) return join(dir, 'pgbench');
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pgbench')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : join(root, versions[0], 'bin', 'pgbench');
}

/** Ids that record which values a statement drew, so that each can become a pgbench variable. */
class RecordingIds implements IdGenerator {
  readonly drawn: string[] = [];
  constructor(private readonly inner: IdGenerator) {}
  next(): string {
    const id = this.inner.next();
    this.drawn.push(id);
    return id;
  }
}

/**
 * `text` as an escape-string literal in which no colon appears: pgbench would read the `:41` of
 * a timestamp as a variable.
 */
function quoted(text: string): string {
  return `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/:/g, '\\072')}'`;
}

/**
 * A pgbench script running `statements` as the host runs them (each in its own implicit
 * transaction, in order), with every id they drew from `ids` made fresh per transaction: each
 * id becomes two random 64-bit pgbench variables formatted as a version-7-shaped uuid, so that
 * primary keys never collide. Every other value is bound as the literal it was.
 */
export function pgbenchScript(
  build: (ids: IdGenerator) => readonly Statement[],
  ids: IdGenerator,
): string {
  const recording = new RecordingIds(ids);
  const statements = build(recording);
  const variables = new Map(recording.drawn.map((id, i) => [id, `id${String(i)}`]));
  // A version-7-shaped uuid of 122 random bits: the API's id schema refuses other shapes, and
  // the benchmark reads these rows back over HTTP.
  const fresh = (id: string): string => {
    const name = variables.get(id);
    const a = `lpad(to_hex(:${name}a::bigint), 16, '0')`;
    const b = `lpad(to_hex(:${name}b::bigint), 16, '0')`;
    return `(substr(${a}, 1, 12) || '7' || substr(${a}, 14, 3) || '8' || substr(${b}, 2, 15))::uuid`;
  };
  const literal = (value: unknown): string => {
    if (value === null || value === undefined) return 'NULL';
    if (typeof value === 'string' && variables.has(value)) return fresh(value);
    if (Array.isArray(value) && value.some((v) => typeof v === 'string' && variables.has(v))) {
      return `ARRAY[${value.map(literal).join(', ')}]`;
    }
    const prepared = prepareValue(value);
    return prepared === null ? 'NULL' : quoted(String(prepared));
  };
  const lines = [...variables.values()].flatMap((name) => [
    `\\set ${name}a random(0, 9223372036854775806)`,
    `\\set ${name}b random(0, 9223372036854775806)`,
  ]);
  for (const statement of statements) {
    const text = statement.text.replace(/\$(\d+)/g, (_m, n: string) =>
      literal(statement.values[Number(n) - 1]),
    );
    // One statement per line: pgbench ends a command at a semicolon, not at a line end.
    lines.push(`${text.replace(/\s*\n\s*/g, ' ')};`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Runs `script` with pgbench at `clients` connections for `seconds`, prepared statements, and
 * reads each transaction's latency from its log for the percentiles.
 */
export async function runPgbench(options: {
  readonly binary: string;
  readonly databaseUrl: string;
  readonly script: string;
  readonly clients: number;
  readonly seconds: number;
  readonly sessionOptions: string;
}): Promise<PgbenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'taskflow-pgbench-'));
  try {
    const scriptFile = join(dir, 'create-task.sql');
    await writeFile(scriptFile, options.script);
    const args = [
      '--no-vacuum',
      `--client=${String(options.clients)}`,
      '--jobs=2',
      `--time=${String(options.seconds)}`,
      '--protocol=prepared',
      `--file=${scriptFile}`,
      '--log',
      `--log-prefix=${join(dir, 'tx')}`,
      options.databaseUrl,
    ];
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(options.binary, args, {
        env: { ...process.env, PGOPTIONS: options.sessionOptions },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve(text);
        else reject(new Error(`pgbench exited with ${String(code)}:\n${text}`));
      });
    });
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output)?.[1];
    const failed = Number(/number of failed transactions: (\d+)/.exec(output)?.[1] ?? '0');
    if (tps === undefined) throw new Error(`pgbench printed no throughput:\n${output}`);
    // Log lines: client_id transaction_no time_us script_no time_epoch time_us
    const latencies: number[] = [];
    for (const file of await readdir(dir)) {
      if (!file.startsWith('tx')) continue;
      for (const line of (await readFile(join(dir, file), 'utf8')).split('\n')) {
        const microseconds = Number(line.split(' ')[2]);
        if (Number.isFinite(microseconds) && line !== '') latencies.push(microseconds / 1000);
      }
    }
    latencies.sort((a, b) => a - b);
    const at = (q: number): number =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
    return {
      throughput: Number(tps),
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      transactions: latencies.length,
      failed,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
