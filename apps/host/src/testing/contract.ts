import { request as httpRequest } from 'node:http';
import type { HttpResponse } from '@taskflow/platform-http';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

type Json = Record<string, unknown>;

/** A response as the contract checks it: status, headers, raw text. */
export interface WireResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** An operation of the document, located. */
export interface DocumentedOperation {
  readonly operationId: string;
  readonly method: string;
  readonly path: string;
  readonly operation: Json;
}

const DOC_ID = 'https://taskflow.dev/openapi.json';
/** The document's own keywords: ajv must know them to hold the document as a schema resource. */
const OPENAPI_KEYWORDS = [
  'openapi',
  'info',
  'jsonSchemaDialect',
  'servers',
  'tags',
  'paths',
  'components',
  'security',
  'webhooks',
  'externalDocs',
];

const pointer = (...parts: string[]): string =>
  parts.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

const record = (value: unknown, where: string): Json => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where} is not an object in the document`);
  }
  return value as Json;
};

/**
 * Checks real responses against an OpenAPI 3.1 document and keeps a map of which documented
 * (operation, status) pairs the responses covered. The document is compiled as one schema
 * resource (ajv 2020-12 with formats), so a response schema's `$ref`s into `components` resolve
 * exactly as a client generator would resolve them.
 */
export class ContractChecker {
  readonly operations: readonly DocumentedOperation[];
  private readonly ajv: Ajv2020;
  private readonly covered = new Map<string, Set<string>>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: Json) {
    this.ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addVocabulary(OPENAPI_KEYWORDS);
    this.ajv.addSchema(document, DOC_ID);
    const operations: DocumentedOperation[] = [];
    for (const [path, item] of Object.entries(record(document['paths'], 'paths'))) {
      for (const [method, operation] of Object.entries(record(item, path))) {
        if (method.startsWith('x-')) continue;
        const op = record(operation, `${method} ${path}`);
        operations.push({
          operationId: String(op['operationId']),
          method: method.toUpperCase(),
          path,
          operation: op,
        });
      }
    }
    this.operations = operations;
  }

  /** The documented operation with this id. */
  operation(operationId: string): DocumentedOperation {
    const found = this.operations.find((o) => o.operationId === operationId);
    if (!found) throw new Error(`the document has no operation ${operationId}`);
    return found;
  }

  /** Documented statuses of an operation. */
  statusesOf(operationId: string): string[] {
    return Object.keys(record(this.operation(operationId).operation['responses'], 'responses'));
  }

  /**
   * Asserts that `response` is one the document allows for the operation: a documented status,
   * the documented media type, a body valid against its schema, every required header present
   * and every documented header that is present valid. Records the (operation, status) as
   * covered. Returns the parsed JSON body (or null).
   */
  check(operationId: string, response: WireResponse): unknown {
    const { path, method } = this.operation(operationId);
    const base = pointer('paths', path, method.toLowerCase(), 'responses', String(response.status));
    const where = `${operationId} ${String(response.status)}`;
    if (this.resolve(pointer('paths', path, method.toLowerCase(), 'responses')) === undefined) {
      throw new Error(`${operationId} documents no responses`);
    }
    const body = this.checkResponse(base, where, response);
    let statuses = this.covered.get(operationId);
    if (!statuses) {
      statuses = new Set();
      this.covered.set(operationId, statuses);
    }
    statuses.add(String(response.status));
    return body;
  }

  /** Asserts that a 405 for a documented path is the document's MethodNotAllowed response. */
  checkMethodNotAllowed(path: string, response: WireResponse): void {
    if (!(path in record(this.document['paths'], 'paths'))) {
      throw new Error(`${path} is not a documented path`);
    }
    this.checkResponse(pointer('components', 'responses', 'MethodNotAllowed'), `405 ${path}`, {
      ...response,
    });
    if (response.status !== 405) throw new Error(`405 ${path}: got ${String(response.status)}`);
    const methods = this.operations.filter((o) => o.path === path).map((o) => o.method);
    const allowed = (response.headers.get('allow') ?? '').split(/,\s*/);
    for (const method of methods) {
      if (!allowed.includes(method)) {
        throw new Error(`405 ${path}: Allow "${allowed.join(', ')}" lacks documented ${method}`);
      }
    }
  }

  /** Documented (operation, status) pairs no checked response produced. */
  uncovered(): string[] {
    return this.operations.flatMap(({ operationId }) =>
      this.statusesOf(operationId)
        .filter((status) => !this.covered.get(operationId)?.has(status))
        .map((status) => `${operationId} ${status}`),
    );
  }

  private checkResponse(base: string, where: string, response: WireResponse): unknown {
    const { doc, at } = this.follow(base, where);
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    const content =
      doc['content'] === undefined ? null : record(doc['content'], `${where} content`);
    let body: unknown = null;
    if (content === null) {
      if (response.text !== '') throw new Error(`${where}: documents no body but got one`);
    } else {
      if (!(mediaType in content)) {
        throw new Error(
          `${where}: content-type ${mediaType} is not documented (${Object.keys(content).join(', ')})`,
        );
      }
      // An event stream is read incrementally: its media type is the contract checked here.
      if (mediaType !== 'text/event-stream') {
        try {
          body = JSON.parse(response.text) as unknown;
        } catch {
          throw new Error(`${where}: body is not JSON: ${response.text.slice(0, 200)}`);
        }
        this.validate(`${at}${pointer('content', mediaType, 'schema')}`, body, `${where} body`);
      }
    }
    const headers = doc['headers'] === undefined ? {} : record(doc['headers'], `${where} headers`);
    for (const name of Object.keys(headers)) {
      const header = this.follow(`${at}${pointer('headers', name)}`, `${where} ${name}`);
      const value = response.headers.get(name);
      if (value === null) {
        if (header.doc['required'] === true) {
          throw new Error(`${where}: documented header ${name} is missing`);
        }
        continue;
      }
      this.validate(`${header.at}${pointer('schema')}`, value, `${where} header ${name}`);
    }
    return body;
  }

  /** The object at a pointer, following a `$ref` there; and the pointer it was found at. */
  private follow(at: string, where: string): { doc: Json; at: string } {
    const found = this.resolve(at);
    if (found === undefined) throw new Error(`${where} is not documented`);
    const doc = record(found, where);
    const ref = doc['$ref'];
    if (typeof ref === 'string') {
      if (!ref.startsWith('#')) throw new Error(`${where}: external $ref ${ref}`);
      return this.follow(ref.slice(1), where);
    }
    return { doc, at };
  }

  private resolve(at: string): unknown {
    let node: unknown = this.document;
    for (const raw of at.split('/').slice(1)) {
      const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      if (typeof node !== 'object' || node === null) return undefined;
      node = (node as Json)[part];
    }
    return node;
  }

  private validate(at: string, value: unknown, where: string): void {
    let validate = this.validators.get(at);
    if (!validate) {
      validate = this.ajv.getSchema(`${DOC_ID}#${at}`);
      if (!validate) throw new Error(`${where}: no schema at ${at}`);
      this.validators.set(at, validate);
    }
    if (!validate(value)) {
      throw new Error(
        `${where} does not match the document: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 500)}`,
      );
    }
  }
}

/** A transport-neutral response (the API core, as a Lambda runs it) as it would go on the wire. */
export function wireOf(response: HttpResponse): WireResponse {
  return {
    status: response.status,
    headers: new Headers(response.headers),
    text: response.body === undefined ? '' : JSON.stringify(response.body),
  };
}

/**
 * A request sent with node:http, for what fetch refuses to send: a body on GET or DELETE, a
 * content encoding it did not produce.
 */
export function rawRequest(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${url}${path}`,
      { method, headers: { ...headers, 'content-length': String(body.length) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const wireHeaders = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined)
              wireHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          resolve({
            status: response.statusCode ?? 0,
            headers: wireHeaders,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
        response.on('error', reject);
      },
    );
    // The server answers an oversized body before reading it all and may close the socket.
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    request.end(body);
  });
}
