import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import {
  answerLocally,
  checkedLatency,
  LocalFakeEndpoint,
  type LocalListenOptions,
} from '../http/local-fake-endpoint';
import { readBodyUpTo } from '../http/local-server';
import { seededRandom } from '../random/seeded-random';

/** Most entries one PutEvents request may carry. */
const MAX_ENTRIES = 10;
/** Largest total entry size (256 KB) of one PutEvents request, as EventBridge counts it. */
const MAX_REQUEST_ENTRY_BYTES = 256 * 1024;
/** What EventBridge counts for an entry's `Time`, whatever its textual form. */
const TIME_BYTES = 14;
/** Bodies past this are not EventBridge traffic; refusing them keeps a runaway test bounded. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const CONTENT_TYPE = 'application/x-amz-json-1.1';
const PUT_EVENTS_TARGET = 'AWSEvents.PutEvents';

/**
 * One PutEvents request entry as it arrived, under its wire names. `Time` is normalised to an
 * ISO-8601 string (the SDK sends epoch seconds); optional members are absent when not sent.
 */
export interface FakePutEventsEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly EventBusName?: string;
  readonly Time?: string;
  readonly Resources?: readonly string[];
  readonly TraceHeader?: string;
}

/** An entry the fake accepted, with the EventId it answered. */
export interface FakeReceivedEvent {
  readonly eventId: string;
  readonly entry: FakePutEventsEntry;
  /** 1-based number of the request that carried it, in arrival order. */
  readonly request: number;
}

/** The answer for one request entry: an EventId, or an error code and message. */
export type FakePutEventsResult =
  { readonly EventId: string } | { readonly ErrorCode: string; readonly ErrorMessage: string };

/** Everything the fake saw and answered for one request. */
export interface FakePutEventsCall {
  /** 1-based number of the request, in arrival order. */
  readonly request: number;
  /** The entries sent; empty when the body could not be read as PutEvents input. */
  readonly entries: readonly FakePutEventsEntry[];
  /** Total entry size as EventBridge computes it (see {@link putEventsEntryBytes}). */
  readonly entryBytes: number;
  /** `error` when the whole call failed (throttled, invalid...), `ok` when it was answered 200. */
  readonly status: 'ok' | 'error';
  /** The error type of a whole-call failure, e.g. `ThrottlingException`. */
  readonly errorType?: string;
  /** Per-entry answers of an `ok` call, in request order. */
  readonly results: readonly FakePutEventsResult[];
}

/** A whole-call error the fake can be told to answer instead of processing a request. */
export interface FakeCallError {
  /** The `__type` of the error, e.g. `ValidationException`, `InternalException`. */
  readonly type: string;
  readonly message?: string;
  /** HTTP status; 400 unless given (use 5xx for server faults). */
  readonly status?: number;
}

/**
 * How the fake misbehaves. Rates are probabilities drawn from a seeded generator, so a given
 * seed and the same sequence of requests always produce the same answers.
 */
export interface FakeEventBridgeBehaviour {
  /** Probability (0..1) that an otherwise valid entry fails with {@link errorCode}. */
  readonly failureRate?: number;
  /** Error code of random entry failures; `InternalFailure` unless given. */
  readonly errorCode?: string;
  /** Probability (0..1) that a whole request is refused with HTTP 400 `ThrottlingException`. */
  readonly throttleRate?: number;
  /** Delay before each request is processed and answered. */
  readonly latencyMs?: number;
  /** Seed of the random generator; setting it restarts the sequence. */
  readonly seed?: number;
  /** Poison entries: returns the error code an entry must fail with, or null to process it. */
  readonly failEntries?: ((entry: FakePutEventsEntry) => string | null) | null;
  /** Whole-call failures: returns the error to answer for a request, or null to process it. */
  readonly failRequests?: ((entries: readonly FakePutEventsEntry[]) => FakeCallError | null) | null;
}

/** Options of {@link FakeEventBridge.start}: the initial behaviour and where to listen. */
export interface FakeEventBridgeOptions extends FakeEventBridgeBehaviour, LocalListenOptions {}

interface Settings {
  failureRate: number;
  errorCode: string;
  throttleRate: number;
  latencyMs: number;
  failEntries: ((entry: FakePutEventsEntry) => string | null) | null;
  failRequests: ((entries: readonly FakePutEventsEntry[]) => FakeCallError | null) | null;
}

/** How a fake behaves until told otherwise: it accepts every valid entry at once. */
const DEFAULT_SETTINGS: Readonly<Settings> = {
  failureRate: 0,
  errorCode: 'InternalFailure',
  throttleRate: 0,
  latencyMs: 0,
  failEntries: null,
  failRequests: null,
};
const DEFAULT_SEED = 1;

/**
 * A local HTTP endpoint that speaks EventBridge's PutEvents over the AWS JSON 1.1 protocol
 * (`POST /`, `X-Amz-Target: AWSEvents.PutEvents`), well enough for the real `EventBridgeClient`
 * pointed at it with `endpoint` to send events and parse the answers, partial failures and
 * throttling errors included. It validates requests where EventBridge's rules are cheap to
 * check (at most 10 entries and 256 KB per request, required members, Detail a JSON object) and
 * records everything it saw, so tests assert on the wire rather than on mocks.
 *
 * Random draws are taken in the order requests are processed, so a seeded run is reproducible
 * when the client sends one request at a time (as `EventBridgePublisher` does). Like the real
 * service, it keeps entries it accepted even if the client stopped waiting for the answer.
 */
export class FakeEventBridge {
  private readonly accepted: FakeReceivedEvent[] = [];
  private readonly log: FakePutEventsCall[] = [];
  private settings: Settings = DEFAULT_SETTINGS;
  private random: () => number = seededRandom(DEFAULT_SEED);
  private requestCount = 0;

  private constructor(private readonly endpoint: LocalFakeEndpoint) {}

  /** Starts a fake on a free local port. Call {@link stop} when done. */
  static async start(options: FakeEventBridgeOptions = {}): Promise<FakeEventBridge> {
    const fake = new FakeEventBridge(await LocalFakeEndpoint.listen(options));
    fake.configure(options);
    fake.endpoint.serve(
      (request, response) => fake.handle(request, response),
      (response, error) => {
        fake.answerError(response, 500, 'InternalFailure', describe(error));
      },
    );
    return fake;
  }

  /** Base URL to give the SDK as `endpoint`, e.g. `http://127.0.0.1:40123`. */
  get url(): string {
    return this.endpoint.url;
  }

  /** Every accepted entry with the EventId it was given, in acceptance order (a live view). */
  get received(): readonly FakeReceivedEvent[] {
    return this.accepted;
  }

  /** What the fake saw and answered for each request it processed, in order (a live view). */
  get calls(): readonly FakePutEventsCall[] {
    return this.log;
  }

  /** How many HTTP requests arrived, whatever their fate. */
  get requests(): number {
    return this.requestCount;
  }

  /** Changes how the fake behaves from the next request on; omitted settings are kept. */
  configure(behaviour: FakeEventBridgeBehaviour): void {
    const next = { ...this.settings };
    if (behaviour.failureRate !== undefined) next.failureRate = rate(behaviour.failureRate);
    if (behaviour.errorCode !== undefined) next.errorCode = behaviour.errorCode;
    if (behaviour.throttleRate !== undefined) next.throttleRate = rate(behaviour.throttleRate);
    if (behaviour.latencyMs !== undefined) next.latencyMs = checkedLatency(behaviour.latencyMs);
    if (behaviour.failEntries !== undefined) next.failEntries = behaviour.failEntries;
    if (behaviour.failRequests !== undefined) next.failRequests = behaviour.failRequests;
    if (behaviour.seed !== undefined) this.random = seededRandom(behaviour.seed);
    this.settings = next;
  }

  /** Forgets what was received and restores the default behaviour and seed. */
  reset(): void {
    this.accepted.length = 0;
    this.log.length = 0;
    this.requestCount = 0;
    this.settings = DEFAULT_SETTINGS;
    this.random = seededRandom(DEFAULT_SEED);
  }

  /** Stops listening, drops open connections and requests still waiting out their latency. */
  stop(): Promise<void> {
    return this.endpoint.stop();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.requestCount += 1;
    const number = this.requestCount;
    const body = (await readBodyUpTo(request, MAX_BODY_BYTES))?.toString('utf8') ?? null;
    if (body === null) {
      this.answerError(response, 413, 'ValidationException', 'Request body too large.');
      return;
    }
    if (request.method !== 'POST' || (request.url ?? '/') !== '/') {
      this.answerError(response, 404, 'UnknownOperationException', 'Not found.');
      return;
    }
    if (request.headers['x-amz-target'] !== PUT_EVENTS_TARGET) {
      this.answerError(response, 400, 'UnknownOperationException', 'Unsupported operation.');
      return;
    }
    if (!(request.headers['content-type'] ?? '').startsWith(CONTENT_TYPE)) {
      this.answerError(response, 400, 'SerializationException', `Expected ${CONTENT_TYPE}.`);
      return;
    }
    if (!(request.headers.authorization ?? '').startsWith('AWS4-')) {
      // The real service refuses unsigned calls; checking it proves the client signed them.
      this.answerError(response, 400, 'MissingAuthenticationTokenException', 'Missing token.');
      return;
    }

    if (this.settings.latencyMs > 0) await this.endpoint.delay(this.settings.latencyMs);
    if (this.endpoint.stopped) return;

    const parsed = parsePutEvents(body);
    const entries = parsed.ok ? parsed.entries : [];
    const entryBytes = entries.reduce((sum, entry) => sum + putEventsEntryBytes(entry), 0);
    const refuse = (status: number, type: string, message: string): void => {
      this.log.push({
        request: number,
        entries,
        entryBytes,
        status: 'error',
        errorType: type,
        results: [],
      });
      this.answerError(response, status, type, message);
    };

    // Throttling is decided before the body is looked at, as a rate limiter in front would.
    if (this.random() < this.settings.throttleRate) {
      refuse(400, 'ThrottlingException', 'Rate exceeded.');
      return;
    }
    if (!parsed.ok) {
      refuse(400, parsed.type, parsed.message);
      return;
    }
    if (entries.length === 0 || entries.length > MAX_ENTRIES) {
      refuse(
        400,
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
      );
      return;
    }
    if (entryBytes > MAX_REQUEST_ENTRY_BYTES) {
      refuse(
        400,
        'ValidationException',
        'Total size of the entries in the request is over the limit.',
      );
      return;
    }
    // Per the API reference, entries lacking Source, DetailType or Detail fail one by one, and
    // the whole request fails only when none of its entries has all three.
    if (entries.every((entry) => missingMembers(entry).length > 0)) {
      refuse(400, 'ValidationException', 'Source, DetailType and Detail are required.');
      return;
    }
    const callError = this.settings.failRequests?.(entries) ?? null;
    if (callError) {
      refuse(callError.status ?? 400, callError.type, callError.message ?? callError.type);
      return;
    }

    const results = entries.map((entry) => this.process(entry, number));
    this.log.push({ request: number, entries, entryBytes, status: 'ok', results });
    const failed = results.filter((result) => 'ErrorCode' in result).length;
    this.answer(response, 200, { FailedEntryCount: failed, Entries: results });
  }

  private process(entry: FakePutEventsEntry, request: number): FakePutEventsResult {
    // One draw per entry whatever happens to it keeps the random sequence independent of the
    // other settings, so changing a predicate does not reshuffle which entries fail at random.
    const unlucky = this.random() < this.settings.failureRate;
    const missing = missingMembers(entry);
    if (missing.length > 0) {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: `Parameter(s) ${missing.join(', ')} could not be validated.`,
      };
    }
    if (!isJsonObject(entry.Detail ?? '')) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const poison = this.settings.failEntries?.(entry) ?? null;
    if (poison !== null)
      return { ErrorCode: poison, ErrorMessage: `Entry refused with ${poison}.` };
    if (unlucky) {
      return {
        ErrorCode: this.settings.errorCode,
        ErrorMessage: `Injected ${this.settings.errorCode}.`,
      };
    }
    const eventId = randomUUID();
    this.accepted.push({ eventId, entry, request });
    return { EventId: eventId };
  }

  private answerError(
    response: ServerResponse,
    status: number,
    type: string,
    message: string,
  ): void {
    // AWS JSON 1.1 names the error in `__type`; the header is what some SDKs read first.
    this.answer(response, status, { __type: type, message }, { 'x-amzn-errortype': type });
  }

  private answer(
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: OutgoingHttpHeaders = {},
  ): void {
    answerLocally(response, status, JSON.stringify(body), CONTENT_TYPE, headers);
  }
}

/**
 * Size of one PutEvents entry as EventBridge counts it against the 256 KB request limit: 14
 * bytes for `Time` if present, plus the UTF-8 bytes of Source, DetailType, Detail and each
 * Resources string (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html).
 */
export function putEventsEntryBytes(entry: FakePutEventsEntry): number {
  let bytes = entry.Time === undefined ? 0 : TIME_BYTES;
  for (const text of [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])]) {
    if (text !== undefined) bytes += Buffer.byteLength(text, 'utf8');
  }
  return bytes;
}

type Parsed =
  | { readonly ok: true; readonly entries: FakePutEventsEntry[] }
  | { readonly ok: false; readonly type: string; readonly message: string };

function parsePutEvents(body: string): Parsed {
  let input: unknown;
  try {
    input = JSON.parse(body);
  } catch {
    return { ok: false, type: 'SerializationException', message: 'Body is not valid JSON.' };
  }
  if (!isRecord(input) || !Array.isArray(input['Entries'])) {
    return { ok: false, type: 'ValidationException', message: "Member 'Entries' is required." };
  }
  const entries: FakePutEventsEntry[] = [];
  for (const raw of input['Entries'] as unknown[]) {
    const entry = parseEntry(raw);
    if (entry === null) {
      return {
        ok: false,
        type: 'SerializationException',
        message: 'Malformed PutEventsRequestEntry.',
      };
    }
    entries.push(entry);
  }
  return { ok: true, entries };
}

function parseEntry(raw: unknown): FakePutEventsEntry | null {
  if (!isRecord(raw)) return null;
  const strings = ['Source', 'DetailType', 'Detail', 'EventBusName', 'TraceHeader'] as const;
  const entry: { -readonly [K in keyof FakePutEventsEntry]: FakePutEventsEntry[K] } = {};
  for (const key of strings) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') return null;
    entry[key] = value;
  }
  const time = raw['Time'];
  if (time !== undefined && time !== null) {
    // The SDK serialises timestamps as epoch seconds (fractional for milliseconds).
    const date =
      typeof time === 'number'
        ? new Date(Math.round(time * 1000))
        : typeof time === 'string'
          ? new Date(time)
          : null;
    if (date === null || Number.isNaN(date.getTime())) return null;
    entry.Time = date.toISOString();
  }
  const resources = raw['Resources'];
  if (resources !== undefined && resources !== null) {
    if (!Array.isArray(resources) || !resources.every((r): r is string => typeof r === 'string'))
      return null;
    entry.Resources = [...resources];
  }
  return entry;
}

function missingMembers(entry: FakePutEventsEntry): string[] {
  const missing: string[] = [];
  if (!entry.Source) missing.push('Source');
  if (!entry.DetailType) missing.push('DetailType');
  if (!entry.Detail) missing.push('Detail');
  return missing;
}

function isJsonObject(text: string): boolean {
  try {
    return isRecord(JSON.parse(text));
  } catch {
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rate(value: number): number {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`a rate must be within 0..1, got ${value}`);
  return value;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
