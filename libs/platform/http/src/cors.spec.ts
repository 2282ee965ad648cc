import { CorsPolicy } from './cors';

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
