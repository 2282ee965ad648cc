import { CorsOriginsSchema, CorsPolicy } from './cors';

describe('CORS_ALLOWED_ORIGINS', () => {
  it.each([
    ['absent', undefined, []],
    ['empty', '', []],
    ['*', '*', '*'],
    ['one origin', 'https://board.example', ['https://board.example']],
    [
      'a list, trimmed, lower-cased and deduplicated',
      ' https://A.example , http://localhost:5173,https://a.example',
      ['https://a.example', 'http://localhost:5173'],
    ],
    ['an IPv6 origin', 'http://[::1]:8080', ['http://[::1]:8080']],
  ])('accepts %s', (_case, text, expected) => {
    expect(CorsOriginsSchema.parse(text)).toEqual(expected);
  });

  it.each([
    ['a path', 'https://board.example/app'],
    ['a trailing slash', 'https://board.example/'],
    ['no scheme', 'board.example'],
    ['another scheme', 'ftp://board.example'],
    ['* among origins', 'https://board.example,*'],
  ])('refuses %s, quoting it', (_case, text) => {
    const result = CorsOriginsSchema.safeParse(text);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('is not an origin');
  });
});

describe('CorsPolicy', () => {
  const policy = new CorsPolicy(['https://board.example']);

  it('echoes an allowed origin, whatever its case, and varies on Origin', () => {
    expect(policy.headersFor('https://Board.example')).toMatchObject({
      'access-control-allow-origin': 'https://Board.example',
      vary: 'Origin',
    });
  });

  it('gives a disallowed origin nothing but Vary', () => {
    expect(policy.headersFor('https://evil.example')).toEqual({ vary: 'Origin' });
    expect(policy.preflight('https://evil.example', ['GET'])).toEqual({
      status: 204,
      headers: { vary: 'Origin' },
    });
  });

  it('adds nothing at all when no origin is configured', () => {
    expect(new CorsPolicy([]).headersFor('https://board.example')).toEqual({});
  });

  it('tells a preflight apart from a plain OPTIONS', () => {
    expect(CorsPolicy.isPreflight('OPTIONS', { 'access-control-request-method': 'GET' })).toBe(
      true,
    );
    expect(CorsPolicy.isPreflight('OPTIONS', {})).toBe(false);
    expect(CorsPolicy.isPreflight('GET', { 'access-control-request-method': 'GET' })).toBe(false);
  });
});
