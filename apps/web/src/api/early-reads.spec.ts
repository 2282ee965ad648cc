import { startRead, takeRead } from './early-reads';

describe('reads started before the app has loaded', () => {
  const realFetch = globalThis.fetch;
  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  it('sends the read at once, as the API client would, and hands it over once', async () => {
    const answer = new Response('{"items":[]}', { status: 200 });
    const sent = jest.fn<Promise<Response>, [string, RequestInit?]>(() => Promise.resolve(answer));
    globalThis.fetch = sent as unknown as typeof fetch;

    startRead('token-1', '/tasks?projectId=p&order=rank&limit=100');

    expect(sent).toHaveBeenCalledWith('/tasks?projectId=p&order=rank&limit=100', {
      headers: { accept: 'application/json', authorization: 'Bearer token-1' },
    });
    await expect(takeRead('token-1', '/tasks?projectId=p&order=rank&limit=100')).resolves.toBe(
      answer,
    );
    // Taken once: a later read of the same page (the re-read after the stream opens) is sent anew.
    expect(takeRead('token-1', '/tasks?projectId=p&order=rank&limit=100')).toBeUndefined();
  });

  it('hands a read only to the same token and URL', () => {
    globalThis.fetch = jest.fn(() => Promise.resolve(new Response('{}')));

    startRead('token-1', '/projects/p');

    expect(takeRead('token-2', '/projects/p')).toBeUndefined();
    expect(takeRead('token-1', '/projects/q')).toBeUndefined();
    expect(takeRead('token-1', '/projects/p')).toBeDefined();
  });

  it('leaves a failed read to its taker, unhandled by nobody', async () => {
    globalThis.fetch = jest.fn(() => Promise.reject(new TypeError('Failed to fetch')));

    startRead('token-1', '/projects/p');

    await expect(takeRead('token-1', '/projects/p')).rejects.toThrow('Failed to fetch');
  });
});
