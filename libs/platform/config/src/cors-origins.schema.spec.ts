import { CorsOriginsSchema } from './cors-origins.schema';

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
