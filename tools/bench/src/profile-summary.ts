import { readFileSync } from 'node:fs';

/** A node of a V8 `.cpuprofile` (as written by `node --cpu-prof`). */
interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Which part of the stack a source file belongs to, for the per-area totals. */
function areaOf(url: string, functionName: string): string {
  if (url === '')
    return functionName === '(garbage collector)' ? 'GC' : `(${functionName || 'native'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg !== undefined) return pkg;
  const lib = /\/(apps|libs)\/(.+?)\/src\//.exec(url);
  if (lib) return `${lib[1]}/${lib[2]}`;
  if (url.startsWith('node:')) return url.split('/')[0] ?? url;
  return url;
}

interface Frame {
  readonly name: string;
  readonly url: string;
}

/**
 * Request-path categories. A sample goes to the first rule that its stack (leaf first) matches,
 * so that, e.g., WebCrypto work under jose counts as token verification, not as Node internals.
 */
const CATEGORIES: readonly {
  readonly label: string;
  readonly matches: (stack: readonly Frame[]) => boolean;
}[] = [
  { label: 'GC', matches: (s) => s[0]?.name === '(garbage collector)' },
  {
    label: 'startup (module loading, tsx)',
    matches: (s) => s.some((f) => /\/tsx\/|esm\/(loader|hooks)/.test(f.url)),
  },
  {
    label: 'JWT verification (jose, WebCrypto)',
    matches: (s) => s.some((f) => f.url.includes('/jose/')),
  },
  {
    label: 'socket writes to PostgreSQL',
    matches: (s) =>
      s[0]?.name === 'writev' || s[0]?.name === 'writeBuffer'
        ? s.some((f) => /\/pg(-protocol|-pool)?\//.test(f.url))
        : false,
  },
  {
    label: 'socket writes of HTTP responses',
    matches: (s) =>
      (s[0]?.name === 'writev' || s[0]?.name === 'writeBuffer') &&
      s.some((f) => f.url.includes('_http_')),
  },
  {
    label: 'pg driver (JS)',
    matches: (s) => /\/pg(-protocol|-pool|-types)?\//.test(s[0]?.url ?? ''),
  },
  {
    label: 'Express, router, body parsing',
    matches: (s) =>
      /\/(express|router|body-parser|raw-body|parseurl|type-is|content-type|on-finished|finalhandler|qs|iconv-lite|media-typer|mime-types|statuses|depd|http-errors|encodeurl|send)\//.test(
        s[0]?.url ?? '',
      ),
  },
  {
    label: 'node:http (parser, headers, response)',
    matches: (s) => /^node:_http_/.test(s[0]?.url ?? ''),
  },
  { label: 'zod', matches: (s) => (s[0]?.url ?? '').includes('/zod/') },
  {
    label: 'application code (libs, apps)',
    matches: (s) => /\/(libs|apps)\//.test(s[0]?.url ?? ''),
  },
  {
    label: 'uuid, pino and other packages',
    matches: (s) => (s[0]?.url ?? '').includes('/node_modules/'),
  },
  { label: 'promises, streams, events, other Node internals', matches: () => true },
];

const percent = (part: number, whole: number): string => `${((part * 100) / whole).toFixed(1)}%`;

/**
 * Summarises a CPU profile: self time by area (package, library or node internal), the top
 * functions by self time, and the inclusive time of a few request-path functions.
 *
 * Usage: `npx tsx tools/bench/src/profile-summary.ts <file.cpuprofile> [top=25]`
 */
function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: profile-summary <file.cpuprofile> [top]');
  const top = Number(topArg ?? 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  let total = 0;
  for (const us of self.values()) total += us;
  const idle = [...self]
    .filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)')
    .reduce((sum, [, us]) => sum + us, 0);
  const busy = total - idle;

  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, us] of self) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined || frame.functionName === '(idle)') continue;
    const area = areaOf(frame.url, frame.functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
    const name = `${frame.functionName || '(anonymous)'} ${area}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  }

  // Inclusive time: each sample counts once for every distinct function on its stack.
  const inclusive = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame === undefined) break;
      const name = `${frame.functionName || '(anonymous)'} ${areaOf(frame.url, frame.functionName)}`;
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
    }
  });

  const byCategory = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const stack: Frame[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame === undefined) break;
      stack.push({ name: frame.functionName, url: frame.url });
    }
    if (stack[0]?.name === '(idle)' || stack[0]?.name === '(program)') return;
    const label = CATEGORIES.find((category) => category.matches(stack))?.label ?? 'other';
    byCategory.set(label, (byCategory.get(label) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });

  const out = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  out(`profile: ${(total / 1e6).toFixed(1)} s sampled, ${percent(busy, total)} busy`);
  out('\nbusy time by request-path category:');
  for (const [label, us] of [...byCategory].sort((a, b) => b[1] - a[1])) {
    out(`  ${percent(us, busy).padStart(6)}  ${label}`);
  }
  out('\nself time by area (share of busy time):');
  for (const [area, us] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    out(`  ${percent(us, busy).padStart(6)}  ${area}`);
  }
  out('\ntop functions by self time:');
  for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    out(`  ${percent(us, busy).padStart(6)}  ${name}`);
  }
  out('\ntop functions by inclusive time:');
  for (const [name, us] of [...inclusive]
    .filter(([name]) => !name.startsWith('(root)') && !name.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)) {
    out(`  ${percent(us, busy).padStart(6)}  ${name}`);
  }
}

main();
