import type { TestResponse } from './test-host';

/** Narrows an unknown JSON body to a record for property access in assertions. */
export function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`expected a JSON object, got ${JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

/** The `items` of a list response. */
export function itemsOf(value: unknown): Record<string, unknown>[] {
  const items = asRecord(value)['items'];
  if (!Array.isArray(items)) throw new Error(`expected items, got ${JSON.stringify(value)}`);
  return items.map(asRecord);
}

/**
 * Asserts that `response` is a whole problem document (RFC 9457) of this status, and of this
 * `code` when given; returns the document.
 */
export function expectProblem(
  response: TestResponse,
  status: number,
  code?: string,
): Record<string, unknown> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  const problem = asRecord(response.body);
  expect(problem).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  if (code !== undefined) expect(problem['code']).toBe(code);
  return problem;
}
