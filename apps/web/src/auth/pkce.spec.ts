import { base64url, codeChallengeS256, fromBase64url, randomToken } from './pkce';

describe('PKCE (RFC 7636)', () => {
  it('derives the S256 challenge of RFC 7636’s Appendix B example', async () => {
    // Act
    const challenge = await codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');

    // Assess
    expect(challenge).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes verifiers of 43 unreserved characters, never the same twice', () => {
    // Act
    const tokens = Array.from({ length: 100 }, () => randomToken());

    // Assess
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(tokens).size).toBe(100);
  });

  it('writes base64url without padding, and reads it back', () => {
    const bytes = Uint8Array.from([0xfb, 0xff, 0xfe, 0x00, 0x01]);

    expect(base64url(bytes)).toBe('-__-AAE');
    expect(fromBase64url('-__-AAE')).toEqual(bytes);
    expect(() => fromBase64url('a+b/')).toThrow('not base64url');
  });
});
