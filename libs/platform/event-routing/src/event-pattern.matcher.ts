import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** A `prefix` or `suffix` operand: a plain string, or one compared ignoring case. */
export type AffixOperand = string | { readonly 'equals-ignore-case': string };

/** The operand of `anything-but`. */
export type AnythingButOperand =
  | string
  | number
  | readonly string[]
  | readonly number[]
  | { readonly prefix: string }
  | { readonly suffix: string }
  | { readonly 'equals-ignore-case': string | readonly string[] }
  | { readonly wildcard: string | readonly string[] };

/** One content filter of a leaf array (EventBridge "comparison operators"). */
export type ContentFilter =
  | { readonly prefix: AffixOperand }
  | { readonly suffix: AffixOperand }
  | { readonly 'equals-ignore-case': string }
  | { readonly wildcard: string }
  | { readonly 'anything-but': AnythingButOperand }
  | { readonly numeric: readonly (string | number)[] }
  | { readonly exists: boolean }
  | { readonly cidr: string };

/** One entry of a leaf array: an exact JSON value or a content filter. */
export type PatternValue = string | number | boolean | null | ContentFilter;

/**
 * An EventBridge event pattern: the event's shape, with an array of accepted values at each
 * leaf, nested objects for nested fields, and `$or` holding alternative sub-patterns.
 */
export interface EventPattern {
  readonly [field: string]: readonly PatternValue[] | EventPattern | readonly EventPattern[];
}

/** A pattern that EventBridge would refuse (PutRule's InvalidEventPatternException). */
export class PatternError extends Error {
  constructor(
    /** Dotted path of the offending part of the pattern. */
    readonly path: string,
    message: string,
  ) {
    super(`${path === '' ? 'pattern' : path}: ${message}`);
    this.name = 'PatternError';
  }
}

/** A compiled pattern: answers whether an event (any parsed JSON) matches. */
export type CompiledPattern = (event: unknown) => boolean;

/**
 * Compiles an EventBridge event pattern once, validating it, so that matching many events does
 * not re-read it. Semantics follow EventBridge (and its open-source engine, Event Ruler):
 *
 * - Every field named in the pattern must match (AND); a leaf matches when any of its values
 *   matches (OR). Fields the pattern does not name are ignored.
 * - Exact values compare JSON type and value: `"5"` does not match `5`, `null` does not match
 *   `""` or an absent field, strings compare case-sensitively.
 * - When the event holds an array, a leaf matches if any element matches. Nested patterns are
 *   matched against each object of an array separately, so two fields matched inside an array
 *   come from the same element (Ruler's array-consistent `rulesForJSONEvent`).
 * - `exists` looks at leaves only: an object is not a leaf, an empty array holds none.
 *   `exists: false` holds when no leaf exists at that path anywhere in the event.
 * - Filters: `prefix`, `suffix` (each optionally `equals-ignore-case`), `equals-ignore-case`,
 *   `wildcard` (`*` any run, `\*` a literal star, `\\` a backslash), `anything-but` (values,
 *   `prefix`, `suffix`, `equals-ignore-case`, `wildcard`), `numeric` ranges, `exists`, `cidr`,
 *   and `$or` (an array of at least two sub-patterns, any of which may match).
 *
 * @throws PatternError when the pattern is malformed (an unknown filter, an empty array, two
 *   consecutive wildcards...).
 */
export function compilePattern(pattern: unknown): CompiledPattern {
  if (!isPlainObject(pattern)) throw new PatternError('', 'must be a JSON object');
  const root = compileObject(pattern, []);
  return (event) => isPlainObject(event) && root(event, event);
}

/**
 * True when `event` matches `pattern` (see {@link compilePattern} for the semantics). Compiles
 * the pattern on every call: compile once where many events are matched.
 */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  return compilePattern(pattern)(event);
}

/** Matches the object at one level of the event; `root` is the whole event, for `exists: false`. */
type ObjectMatcher = (current: Readonly<Record<string, unknown>>, root: unknown) => boolean;

/** One leaf value test. */
type ValueTest = (value: LeafValue) => boolean;

type LeafValue = string | number | boolean | null;

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

function compileObject(
  pattern: Readonly<Record<string, unknown>>,
  path: readonly string[],
): ObjectMatcher {
  const entries = Object.entries(pattern);
  if (entries.length === 0) throw new PatternError(dotted(path), 'must name at least one field');
  const checks = entries.map(([key, spec]): ObjectMatcher => {
    const here = [...path, key];
    if (key === '$or') return compileOr(spec, path);
    if (Array.isArray(spec)) return compileLeaf(spec, here, key);
    if (isPlainObject(spec)) {
      const nested = compileObject(spec, here);
      return (current, root) => matchNested(nested, current[key], root);
    }
    throw new PatternError(dotted(here), 'must be an array of values or a nested pattern');
  });
  return (current, root) => checks.every((check) => check(current, root));
}

function compileOr(spec: unknown, path: readonly string[]): ObjectMatcher {
  const here = dotted([...path, '$or']);
  if (!Array.isArray(spec) || spec.length < 2 || !spec.every(isPlainObject)) {
    // Ruler would read a malformed $or as a field named "$or"; refusing it is less surprising.
    throw new PatternError(here, 'must be an array of at least two sub-patterns');
  }
  const alternatives = spec.map((alternative, index) =>
    compileObject(alternative, [...path, `$or[${index}]`]),
  );
  return (current, root) => alternatives.some((alternative) => alternative(current, root));
}

/**
 * A nested pattern against the event's value at its field: each object of an array is tried
 * separately (array-consistent matching). A value that is not an object offers no fields, so
 * it is matched as an empty object: only `exists: false` can hold there.
 */
function matchNested(nested: ObjectMatcher, value: unknown, root: unknown): boolean {
  if (isPlainObject(value)) return nested(value, root);
  if (Array.isArray(value)) {
    const objects = flatten(value).filter(isPlainObject);
    if (objects.some((object) => nested(object, root))) return true;
    if (objects.length > 0) return false;
  }
  return nested(EMPTY, root);
}

function compileLeaf(
  values: readonly unknown[],
  path: readonly string[],
  key: string,
): ObjectMatcher {
  const where = dotted(path);
  if (values.length === 0) throw new PatternError(where, 'must hold at least one value');
  const tests: ValueTest[] = [];
  let requirePresence: boolean | null = null;
  for (const [index, value] of values.entries()) {
    const at = `${where}[${index}]`;
    if (isPlainObject(value) && Object.keys(value).length === 1 && 'exists' in value) {
      const exists = value['exists'];
      if (typeof exists !== 'boolean') throw new PatternError(at, 'exists takes true or false');
      if (requirePresence !== null && requirePresence !== exists) {
        throw new PatternError(where, 'cannot require both exists: true and exists: false');
      }
      requirePresence = exists;
      continue;
    }
    tests.push(compileValue(value, at));
  }
  return (current, root) => {
    const leaves = leavesOf(current[key]);
    if (requirePresence === true && leaves.length > 0) return true;
    if (requirePresence === false && !hasLeafAt(root, path)) return true;
    return leaves.some((leaf) => tests.some((test) => test(leaf)));
  };
}

function compileValue(value: unknown, at: string): ValueTest {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') {
    return (leaf) => leaf === value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new PatternError(at, 'numbers must be finite');
    return (leaf) => leaf === value;
  }
  if (!isPlainObject(value)) throw new PatternError(at, 'must be a JSON value or a filter object');
  const keys = Object.keys(value);
  const [name] = keys;
  if (keys.length !== 1 || name === undefined) {
    throw new PatternError(at, 'a filter object holds exactly one filter');
  }
  const operand = value[name];
  switch (name) {
    case 'prefix':
      return affix(operand, `${at}.prefix`, (text, part) => text.startsWith(part));
    case 'suffix':
      return affix(operand, `${at}.suffix`, (text, part) => text.endsWith(part));
    case 'equals-ignore-case': {
      const expected = fold(requireString(operand, `${at}.equals-ignore-case`));
      return (leaf) => typeof leaf === 'string' && fold(leaf) === expected;
    }
    case 'wildcard': {
      const regex = wildcardRegex(requireString(operand, `${at}.wildcard`), `${at}.wildcard`);
      return (leaf) => typeof leaf === 'string' && regex.test(leaf);
    }
    case 'anything-but':
      return anythingBut(operand, `${at}.anything-but`);
    case 'numeric':
      return numeric(operand, `${at}.numeric`);
    case 'cidr':
      return cidr(operand, `${at}.cidr`);
    default:
      throw new PatternError(at, `unknown filter "${name}"`);
  }
}

function affix(
  operand: unknown,
  at: string,
  test: (text: string, part: string) => boolean,
): ValueTest {
  if (typeof operand === 'string') return (leaf) => typeof leaf === 'string' && test(leaf, operand);
  if (isPlainObject(operand) && Object.keys(operand).length === 1) {
    const part = fold(requireString(operand['equals-ignore-case'], `${at}.equals-ignore-case`));
    return (leaf) => typeof leaf === 'string' && test(fold(leaf), part);
  }
  throw new PatternError(at, 'takes a string or { "equals-ignore-case": string }');
}

/**
 * `anything-but`: any present leaf that is not excluded. Exclusions by prefix, suffix, case or
 * wildcard only ever exclude strings, so a number passes them (as in Ruler, where they compare
 * the quoted JSON text of strings).
 */
function anythingBut(operand: unknown, at: string): ValueTest {
  if (typeof operand === 'string' || (typeof operand === 'number' && Number.isFinite(operand))) {
    return (leaf) => leaf !== operand;
  }
  if (Array.isArray(operand)) {
    const strings = operand.every((item) => typeof item === 'string');
    const numbers = operand.every((item) => typeof item === 'number' && Number.isFinite(item));
    if (operand.length === 0 || !(strings || numbers)) {
      throw new PatternError(at, 'a list must hold only strings or only numbers, at least one');
    }
    const excluded = new Set<unknown>(operand);
    return (leaf) => !excluded.has(leaf);
  }
  if (isPlainObject(operand) && Object.keys(operand).length === 1) {
    const [name] = Object.keys(operand);
    const inner = name === undefined ? undefined : operand[name];
    const strings = (label: string): string[] => {
      const list = Array.isArray(inner) ? inner : [inner];
      if (list.length === 0)
        throw new PatternError(`${at}.${label}`, 'must hold at least one string');
      return list.map((item, index) => requireString(item, `${at}.${label}[${index}]`));
    };
    let excludes: (text: string) => boolean;
    switch (name) {
      case 'prefix': {
        const prefix = requireString(inner, `${at}.prefix`);
        excludes = (text) => text.startsWith(prefix);
        break;
      }
      case 'suffix': {
        const suffix = requireString(inner, `${at}.suffix`);
        excludes = (text) => text.endsWith(suffix);
        break;
      }
      case 'equals-ignore-case': {
        const folded = new Set(strings('equals-ignore-case').map(fold));
        excludes = (text) => folded.has(fold(text));
        break;
      }
      case 'wildcard': {
        const regexes = strings('wildcard').map((w) => wildcardRegex(w, `${at}.wildcard`));
        excludes = (text) => regexes.some((regex) => regex.test(text));
        break;
      }
      default:
        throw new PatternError(at, `unknown anything-but filter "${String(name)}"`);
    }
    return (leaf) => typeof leaf !== 'string' || !excludes(leaf);
  }
  throw new PatternError(
    at,
    'takes a string, a number, a list, or a prefix/suffix/equals-ignore-case/wildcard filter',
  );
}

const LOWER_BOUNDS: ReadonlySet<string> = new Set(['>', '>=']);
const UPPER_BOUNDS: ReadonlySet<string> = new Set(['<', '<=']);

/** `numeric`: `["=", n]`, or one or two bounds, at most one lower and one upper. */
function numeric(operand: unknown, at: string): ValueTest {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) {
    throw new PatternError(at, 'takes [operator, number] or [operator, number, operator, number]');
  }
  const comparisons: ((n: number) => boolean)[] = [];
  let lower = false;
  let upper = false;
  for (let i = 0; i < operand.length; i += 2) {
    const operator: unknown = operand[i];
    const bound: unknown = operand[i + 1];
    if (typeof bound !== 'number' || !Number.isFinite(bound)) {
      throw new PatternError(`${at}[${i + 1}]`, 'must be a number');
    }
    if (operator === '=' && operand.length === 2) {
      comparisons.push((n) => n === bound);
    } else if (typeof operator === 'string' && LOWER_BOUNDS.has(operator) && !lower) {
      lower = true;
      comparisons.push(operator === '>' ? (n) => n > bound : (n) => n >= bound);
    } else if (typeof operator === 'string' && UPPER_BOUNDS.has(operator) && !upper) {
      upper = true;
      comparisons.push(operator === '<' ? (n) => n < bound : (n) => n <= bound);
    } else {
      throw new PatternError(`${at}[${i}]`, `unexpected operator ${JSON.stringify(operator)}`);
    }
  }
  return (leaf) => typeof leaf === 'number' && comparisons.every((compare) => compare(leaf));
}

/** `cidr`: an IPv4 or IPv6 address (a string leaf) inside the block. */
function cidr(operand: unknown, at: string): ValueTest {
  const text = requireString(operand, at);
  const [address = '', bits = ''] = text.split('/');
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
  const prefix = Number(bits);
  const maxBits = family === 'ipv4' ? 32 : 128;
  if (family === null || !/^\d+$/.test(bits) || prefix > maxBits) {
    throw new PatternError(at, 'must be an IPv4 or IPv6 block such as 10.0.0.0/24');
  }
  const block = new BlockList();
  block.addSubnet(address, prefix, family);
  return (leaf) =>
    typeof leaf === 'string' &&
    ((family === 'ipv4' && isIPv4(leaf)) || (family === 'ipv6' && isIPv6(leaf))) &&
    block.check(leaf, family);
}

/**
 * Turns a wildcard into an anchored regular expression: `*` matches any run of characters
 * (line breaks included), `\*` a literal star, `\\` a literal backslash.
 */
function wildcardRegex(wildcard: string, at: string): RegExp {
  let source = '';
  let previousWasStar = false;
  for (let i = 0; i < wildcard.length; i += 1) {
    const char = wildcard.charAt(i);
    if (char === '*') {
      if (previousWasStar)
        throw new PatternError(at, 'consecutive wildcard characters are not allowed');
      source += '.*';
      previousWasStar = true;
      continue;
    }
    previousWasStar = false;
    let literal = char;
    if (char === '\\') {
      const next = wildcard.charAt(i + 1);
      if (next !== '*' && next !== '\\') {
        throw new PatternError(at, 'a backslash may only escape * or \\');
      }
      literal = next;
      i += 1;
    }
    source += literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/** The leaves (non-object JSON values) of an event value, arrays flattened; none when absent. */
function leavesOf(value: unknown): LeafValue[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return flatten(value).filter(isLeaf);
  return isLeaf(value) ? [value] : [];
}

/** True when a leaf exists at `path` anywhere in the event, looking through arrays. */
function hasLeafAt(value: unknown, path: readonly string[]): boolean {
  if (Array.isArray(value)) return value.some((item) => hasLeafAt(item, path));
  const [head, ...rest] = path;
  if (head === undefined) return isLeaf(value);
  if (!isPlainObject(value) || !Object.hasOwn(value, head)) return false;
  return hasLeafAt(value[head], rest);
}

function flatten(values: readonly unknown[]): unknown[] {
  return values.flatMap((value) => (Array.isArray(value) ? flatten(value) : [value]));
}

function isLeaf(value: unknown): value is LeafValue {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(value: unknown, at: string): string {
  if (typeof value !== 'string') throw new PatternError(at, 'must be a string');
  return value;
}

// Lower-casing both sides is what Ruler's equals-ignore-case does for the text it compares.
function fold(text: string): string {
  return text.toLowerCase();
}

function dotted(path: readonly string[]): string {
  return path.join('.');
}
