import { ValidationError } from '@taskflow/platform-kernel';
import { EMAIL_MAX_LENGTH, Email } from './email.value-object';
import { errorOf } from '@taskflow/platform-assertions';
import { expectDomainError } from '@taskflow/platform-testing';

/** An address of exactly `length` characters. */
function addressOfLength(length: number): string {
  const domain = '@example.com';
  return `${'a'.repeat(length - domain.length)}${domain}`;
}

describe('Email.create', () => {
  it.each([
    { raw: 'ada@example.com', value: 'ada@example.com' },
    { raw: '  ada@example.com \n', value: 'ada@example.com' },
    { raw: 'Ada.Lovelace+tasks@Example.CO.uk', value: 'Ada.Lovelace+tasks@Example.CO.uk' },
    { raw: "o'brien_1@sub-domain.example.org", value: "o'brien_1@sub-domain.example.org" },
    { raw: addressOfLength(EMAIL_MAX_LENGTH), value: addressOfLength(EMAIL_MAX_LENGTH) },
  ])('accepts $raw as $value', ({ raw, value }) => {
    // Act
    const email = Email.create(raw);

    // Assess
    expect(email.value).toBe(value);
  });

  it('compares case-insensitively through its normalized form', () => {
    // Act
    const email = Email.create(' Ada@Example.COM ');

    // Assess
    expect(email.value).toBe('Ada@Example.COM');
    expect(email.normalized).toBe('ada@example.com');
  });

  it.each([
    { case: 'empty', raw: '', message: 'must not be empty' },
    { case: 'only whitespace', raw: '   ', message: 'must not be empty' },
    { case: 'without @', raw: 'ada.example.com', message: 'must be a valid e-mail address' },
    {
      case: 'without a local part',
      raw: '@example.com',
      message: 'must be a valid e-mail address',
    },
    {
      case: 'without a dot in the domain',
      raw: 'ada@localhost',
      message: 'must be a valid e-mail address',
    },
    {
      case: 'with two @',
      raw: 'ada@lovelace@example.com',
      message: 'must be a valid e-mail address',
    },
    {
      case: 'with inner whitespace',
      raw: 'ada lovelace@example.com',
      message: 'must be a valid e-mail address',
    },
    {
      case: 'with a domain label ending in -',
      raw: 'ada@example-.com',
      message: 'must be a valid e-mail address',
    },
    {
      case: 'one character too long',
      raw: addressOfLength(EMAIL_MAX_LENGTH + 1),
      message: `must be at most ${EMAIL_MAX_LENGTH} characters`,
    },
  ])('rejects an address $case', ({ raw, message }) => {
    // Act
    const error = errorOf(() => Email.create(raw));

    // Assess
    expectDomainError(error, ValidationError, 'INVALID_EMAIL', {
      issues: [{ path: 'email', message }],
    });
  });

  it('reports the path it is given', () => {
    // Act
    const error = errorOf(() => Email.create('nope', 'invitee.email'));

    // Assess
    expect(error).toMatchObject({ code: 'INVALID_EMAIL', issues: [{ path: 'invitee.email' }] });
  });
});
