import type { Measurement } from './measurement';
import type { Scenario } from './scenarios';

/** Both sides of one scenario, measured in the same run. */
export interface ScenarioResult {
  readonly scenario: Scenario;
  readonly host: Measurement;
  readonly baseline: Measurement;
}

/** A target of the issue and whether this run met it. */
export interface TargetCheck {
  readonly label: string;
  readonly value: string;
  readonly pass: boolean;
  /** What to read the verdict with (for latency: the direct baseline's own figure). */
  readonly note?: string;
}

const fixed = (value: number, digits: number): string =>
  Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
const grouped = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
const perRequestUs = (cpuMs: number, count: number): string =>
  count === 0 ? 'n/a' : grouped((cpuMs * 1000) / count);

/** Aligned columns: the first left-aligned, the others right-aligned, a rule under the header. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, i) =>
    Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Host/baseline throughput: the share of the direct path's throughput that survives HTTP. */
export function ratioOf(result: ScenarioResult): number {
  return result.host.throughput / result.baseline.throughput;
}

/** The main table: throughput both ways, ratio, latencies, and anything that was not a success. */
export function resultsTable(results: readonly ScenarioResult[]): string {
  return table(
    [
      'scenario',
      'host req/s',
      'direct req/s',
      'ratio',
      'p50 ms',
      'p99 ms',
      'direct p50',
      'direct p99',
      'non-2xx/err',
    ],
    results.map((r) => [
      r.scenario.name,
      grouped(r.host.throughput),
      grouped(r.baseline.throughput),
      fixed(ratioOf(r), 2),
      fixed(r.host.p50Ms, 1),
      fixed(r.host.p99Ms, 1),
      fixed(r.baseline.p50Ms, 1),
      fixed(r.baseline.p99Ms, 1),
      `${r.host.unexpected + r.baseline.unexpected}/${r.host.errors + r.baseline.errors}`,
    ]),
  );
}

/**
 * CPU time per completed request, per party, in microseconds, and how busy the machine's cores
 * were: shows where a throughput gap goes (host, load generator, PostgreSQL), and how much of
 * the machine other processes took meanwhile (it is shared and noisy).
 */
export function cpuTable(results: readonly ScenarioResult[], cores: number): string {
  const share = (ms: number, m: Measurement): string =>
    `${fixed((ms * 100) / (m.windowMs * cores), 0)}%`;
  const ours = (m: Measurement): number => m.cpu.hostMs + m.cpu.benchMs + m.cpu.postgresMs;
  const others = (m: Measurement): string => share(Math.max(0, m.cpu.machineBusyMs - ours(m)), m);
  return table(
    [
      'scenario',
      'host µs/req',
      'loadgen µs/req',
      'pg µs/req',
      'ours',
      'others',
      'direct µs/op',
      'pg µs/op',
      'ours ',
      'others ',
      'cost ratio',
    ],
    results.map((r) => [
      r.scenario.name,
      perRequestUs(r.host.cpu.hostMs, r.host.ok),
      perRequestUs(r.host.cpu.benchMs, r.host.ok),
      perRequestUs(r.host.cpu.postgresMs, r.host.ok),
      share(ours(r.host), r.host),
      others(r.host),
      perRequestUs(r.baseline.cpu.benchMs, r.baseline.ok),
      perRequestUs(r.baseline.cpu.postgresMs, r.baseline.ok),
      share(ours(r.baseline), r.baseline),
      others(r.baseline),
      fixed(costRatioOf(r), 2),
    ]),
  );
}

/**
 * Direct CPU per operation over host CPU per request, all parties counted (host, load generator,
 * PostgreSQL): the throughput ratio to expect when the cores are saturated by this work alone,
 * so it holds still when other processes take a varying share of a shared machine.
 */
export function costRatioOf(result: ScenarioResult): number {
  const host = result.host.cpu;
  const direct = result.baseline.cpu;
  const hostPerRequest = (host.hostMs + host.benchMs + host.postgresMs) / result.host.ok;
  const directPerOp = (direct.benchMs + direct.postgresMs) / result.baseline.ok;
  return directPerOp / hostPerRequest;
}

/** The targets, checked against this run. */
export function targetChecks(
  results: readonly ScenarioResult[],
  peakRssMb: number,
  rssTargetMb: number,
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const r of results) {
    if (r.scenario.diagnostic === true) continue;
    if (r.scenario.ratioTarget !== null) {
      const ratio = ratioOf(r);
      checks.push({
        label: `${r.scenario.name}, host ÷ direct ≥ ${r.scenario.ratioTarget}`,
        value: fixed(ratio, 2),
        pass: ratio >= r.scenario.ratioTarget,
      });
    }
  }
  checks.push({
    label: `host peak RSS ≤ ${rssTargetMb} MB`,
    value: `${fixed(peakRssMb, 0)} MB`,
    pass: peakRssMb <= rssTargetMb,
  });
  return checks;
}

/** The targets as aligned PASS/FAIL lines. */
export function targetsText(checks: readonly TargetCheck[]): string {
  return table(
    ['target', 'measured', 'verdict', 'note'],
    checks.map((c) => [c.label, c.value, c.pass ? 'PASS' : 'FAIL', c.note ?? '']),
  );
}
