import { describe, expect, it } from 'vitest';
import { ScureBase32Plugin } from 'otplib';
import {
  currentTimeStep,
  generateTotpSecret,
  hotpCode,
  otpauthUri,
  totpCode,
  verifyTotp,
  type TotpAlgorithm,
} from '../../server/src/core/totp';

const b32 = new ScureBase32Plugin();
const asciiToBase32 = (s: string) => b32.encode(Buffer.from(s, 'ascii'), { padding: false });

const SEED_SHA1 = '12345678901234567890';
const SEED_SHA256 = '12345678901234567890123456789012';
const SEED_SHA512 = '1234567890'.repeat(7).slice(0, 64);
const SECRETS: Record<TotpAlgorithm, string> = {
  sha1: asciiToBase32(SEED_SHA1),
  sha256: asciiToBase32(SEED_SHA256),
  sha512: asciiToBase32(SEED_SHA512),
};

describe('RFC 4226 HOTP vectors', () => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];

  it('the seed encodes to the documented base32', () => {
    expect(SECRETS.sha1).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(Buffer.from(SEED_SHA512).length).toBe(64);
  });

  it.each(expected.map((code, counter) => [counter, code] as const))('counter %i -> %s', (counter, code) => {
    expect(hotpCode(SECRETS.sha1, counter)).toBe(code);
  });
});

describe('RFC 6238 TOTP vectors', () => {
  const table: Array<[number, string, string, string]> = [
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ];
  const cases = table.flatMap(([time, sha1, sha256, sha512]) =>
    (
      [
        ['sha1', sha1],
        ['sha256', sha256],
        ['sha512', sha512],
      ] as Array<[TotpAlgorithm, string]>
    ).map(([algorithm, code]) => ({ time, algorithm, code })),
  );

  it.each(cases)('$algorithm at $time: 8 digits = $code', ({ time, algorithm, code }) => {
    expect(totpCode(SECRETS[algorithm], { algorithm, digits: 8, time })).toBe(code);
  });

  it.each(cases)('$algorithm at $time: 6 digits = last six of $code', ({ time, algorithm, code }) => {
    expect(totpCode(SECRETS[algorithm], { algorithm, time })).toBe(code.slice(-6));
  });

  it.each(cases)('$algorithm at $time: verifyTotp accepts the vector with the right step', ({ time, algorithm, code }) => {
    expect(verifyTotp(SECRETS[algorithm], code, { algorithm, digits: 8, time, window: 0 })).toEqual({
      valid: true,
      timeStep: Math.floor(time / 30),
    });
    expect(verifyTotp(SECRETS[algorithm], code.slice(-6), { algorithm, time, window: 0 })).toEqual({
      valid: true,
      timeStep: Math.floor(time / 30),
    });
  });

  it('an 8-digit vector is refused when the server expects 6 digits, and the algorithm matters', () => {
    expect(verifyTotp(SECRETS.sha1, '94287082', { time: 59 })).toEqual({ valid: false });
    expect(verifyTotp(SECRETS.sha256, '46119246', { algorithm: 'sha1', digits: 8, time: 59 })).toEqual({ valid: false });
  });
});

describe('verifyTotp window', () => {
  const secret = generateTotpSecret();
  const now = 1_700_000_000; // step 56666666, 20 s into it
  const step = Math.floor(now / 30);
  const codeAt = (s: number) => totpCode(secret, { time: s * 30 });

  it.each([-1, 0, 1])('accepts step %i with window 1 and reports the absolute step', (delta) => {
    expect(verifyTotp(secret, codeAt(step + delta), { time: now, window: 1 })).toEqual({
      valid: true,
      timeStep: step + delta,
    });
  });

  it.each([-2, 2, -3, 3])('refuses step %i with window 1', (delta) => {
    expect(verifyTotp(secret, codeAt(step + delta), { time: now, window: 1 })).toEqual({ valid: false });
  });

  it('defaults to window 1', () => {
    expect(verifyTotp(secret, codeAt(step - 1), { time: now }).valid).toBe(true);
    expect(verifyTotp(secret, codeAt(step + 1), { time: now }).valid).toBe(true);
    expect(verifyTotp(secret, codeAt(step - 2), { time: now }).valid).toBe(false);
  });

  it('window 0 accepts only the current step; window 2 reaches two steps', () => {
    expect(verifyTotp(secret, codeAt(step), { time: now, window: 0 }).valid).toBe(true);
    expect(verifyTotp(secret, codeAt(step - 1), { time: now, window: 0 }).valid).toBe(false);
    expect(verifyTotp(secret, codeAt(step + 2), { time: now, window: 2 }).valid).toBe(true);
    expect(verifyTotp(secret, codeAt(step + 3), { time: now, window: 2 }).valid).toBe(false);
  });

  it('uses the real clock when no time is given', () => {
    const code = totpCode(secret);
    const result = verifyTotp(secret, code);
    expect(result.valid).toBe(true);
    if (result.valid) expect(Math.abs(result.timeStep - currentTimeStep())).toBeLessThanOrEqual(1);
  });

  it('a wrong code and a code for another secret are refused', () => {
    const right = codeAt(step);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    expect(verifyTotp(secret, wrong, { time: now, window: 0 })).toEqual({ valid: false });
    expect(verifyTotp(generateTotpSecret(), right, { time: now, window: 0 })).toEqual({ valid: false });
  });

  it('honours custom period', () => {
    const code = totpCode(secret, { time: now, period: 60 });
    expect(verifyTotp(secret, code, { time: now, period: 60, window: 0 })).toEqual({
      valid: true,
      timeStep: Math.floor(now / 60),
    });
  });
});

describe('verifyTotp replay protection (afterTimeStep)', () => {
  const secret = generateTotpSecret();
  const now = 1_700_000_000;
  const step = Math.floor(now / 30);
  const codeAt = (s: number) => totpCode(secret, { time: s * 30 });

  it('refuses the same code once its step was accepted, inside the window too', () => {
    const code = codeAt(step);
    const first = verifyTotp(secret, code, { time: now });
    expect(first).toEqual({ valid: true, timeStep: step });
    expect(verifyTotp(secret, code, { time: now, afterTimeStep: step })).toEqual({ valid: false });
    expect(verifyTotp(secret, code, { time: now + 30, afterTimeStep: step })).toEqual({ valid: false });
  });

  it('refuses any older step and accepts the next one', () => {
    expect(verifyTotp(secret, codeAt(step - 1), { time: now, afterTimeStep: step })).toEqual({ valid: false });
    expect(verifyTotp(secret, codeAt(step - 1), { time: now, afterTimeStep: step - 1 })).toEqual({ valid: false });
    expect(verifyTotp(secret, codeAt(step), { time: now, afterTimeStep: step - 1 })).toEqual({
      valid: true,
      timeStep: step,
    });
    expect(verifyTotp(secret, codeAt(step + 1), { time: now, afterTimeStep: step })).toEqual({
      valid: true,
      timeStep: step + 1,
    });
  });

  it('refuses everything (without throwing) when the last step is beyond the window', () => {
    expect(verifyTotp(secret, codeAt(step + 1), { time: now, afterTimeStep: step + 1 })).toEqual({ valid: false });
    expect(verifyTotp(secret, codeAt(step), { time: now, afterTimeStep: step + 50 })).toEqual({ valid: false });
  });

  it('null/undefined/negative mean nothing accepted yet; a corrupt value fails closed', () => {
    expect(verifyTotp(secret, codeAt(step), { time: now, afterTimeStep: null }).valid).toBe(true);
    expect(verifyTotp(secret, codeAt(step), { time: now, afterTimeStep: undefined }).valid).toBe(true);
    expect(verifyTotp(secret, codeAt(step), { time: now, afterTimeStep: -1 }).valid).toBe(true);
    expect(verifyTotp(secret, codeAt(step), { time: now, afterTimeStep: Number.NaN })).toEqual({ valid: false });
    expect(verifyTotp(secret, codeAt(step), { time: now, afterTimeStep: step - 0.5 })).toEqual({ valid: false });
  });
});

describe('verifyTotp malformed input never throws', () => {
  const secret = generateTotpSecret();
  const now = 1_700_000_000;
  const code = totpCode(secret, { time: now });

  it('a valid code surrounded by whitespace is trimmed and accepted', () => {
    expect(verifyTotp(secret, ` ${code}`, { time: now }).valid).toBe(true);
    expect(verifyTotp(secret, `\t${code} \n`, { time: now }).valid).toBe(true);
  });

  const fullwidth = code.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));
  const malformed: Array<[string, unknown]> = [
    ['empty string', ''],
    ['whitespace only', '      '],
    ['letters', 'abcdef'],
    ['5 digits', '12345'],
    ['7 digits', '1234567'],
    ['inner space', `${code.slice(0, 2)} ${code.slice(2)}`],
    ['the real code with inner space', '12 3456'],
    ['fullwidth digits', '１２３４５６'],
    ['fullwidth real code', fullwidth],
    ['10k-char string', '1'.repeat(10_000)],
    ['10k spaces around the real code', `${' '.repeat(5_000)}${code}${' '.repeat(5_000)}`],
    ['sign', `+${code.slice(1)}`],
    ['decimal', '12345.'],
    ['hex', '0x1234'],
    ['number', 123456],
    ['real code as number', Number(code)],
    ['null', null],
    ['undefined', undefined],
    ['object', {}],
    ['array', []],
    ['array with the code', [code]],
    ['boxed string', Object(code)],
    ['object with toString', { toString: () => code }],
  ];

  it.each(malformed)('%s -> { valid: false }', (_label, input) => {
    expect(() => verifyTotp(secret, input, { time: now })).not.toThrow();
    expect(verifyTotp(secret, input, { time: now })).toEqual({ valid: false });
  });

  it('a broken secret or bad options give { valid: false } instead of throwing', () => {
    expect(verifyTotp('not base32!!', '123456', { time: now })).toEqual({ valid: false });
    expect(verifyTotp('', code, { time: now })).toEqual({ valid: false });
    expect(verifyTotp('GEZDGNBV', code, { time: now })).toEqual({ valid: false }); // 5 bytes, too short
    expect(verifyTotp(undefined as unknown as string, code, { time: now })).toEqual({ valid: false });
    expect(verifyTotp(secret, code, { time: now, window: -1 })).toEqual({ valid: false });
    expect(verifyTotp(secret, code, { time: now, window: 1.5 })).toEqual({ valid: false });
    expect(verifyTotp(secret, code, { time: now, window: 1000 })).toEqual({ valid: false });
    expect(verifyTotp(secret, code, { time: now, digits: 7 as 6 })).toEqual({ valid: false });
    expect(verifyTotp(secret, code, { time: now, algorithm: 'md5' as 'sha1' })).toEqual({ valid: false });
    expect(verifyTotp(secret, code, { time: now, period: 0 })).toEqual({ valid: false });
    expect(verifyTotp(secret, code, { time: Number.NaN })).toEqual({ valid: false });
    expect(verifyTotp(secret, code, { time: -1 })).toEqual({ valid: false });
  });
});

describe('generateTotpSecret', () => {
  it('returns unpadded RFC 4648 base32 of 20 bytes by default', () => {
    const s = generateTotpSecret();
    expect(s).toMatch(/^[A-Z2-7]{32}$/);
    expect(b32.decode(s).length).toBe(20);
  });

  it('honours larger sizes and refuses fewer than 20 bytes', () => {
    expect(b32.decode(generateTotpSecret(32)).length).toBe(32);
    expect(() => generateTotpSecret(19)).toThrow(RangeError);
    expect(() => generateTotpSecret(10)).toThrow(RangeError);
    expect(() => generateTotpSecret(0)).toThrow(RangeError);
    expect(() => generateTotpSecret(20.5)).toThrow(RangeError);
  });

  it('1000 generations are all distinct, valid base32 of >= 20 bytes', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const s = generateTotpSecret();
      expect(s).toMatch(/^[A-Z2-7]+$/);
      expect(b32.decode(s).length).toBeGreaterThanOrEqual(20);
      seen.add(s);
    }
    expect(seen.size).toBe(1000);
  });

  it('a generated secret round-trips through totpCode/verifyTotp', () => {
    const s = generateTotpSecret();
    const time = 1_234_567_890;
    expect(verifyTotp(s, totpCode(s, { time }), { time })).toEqual({ valid: true, timeStep: Math.floor(time / 30) });
  });
});

describe('currentTimeStep', () => {
  it('is floor(t / period)', () => {
    expect(currentTimeStep(59)).toBe(1);
    expect(currentTimeStep(60)).toBe(2);
    expect(currentTimeStep(1111111109)).toBe(37037036);
    expect(currentTimeStep(119, 60)).toBe(1);
    expect(currentTimeStep(0)).toBe(0);
  });

  it('defaults to now', () => {
    const expected = Math.floor(Date.now() / 1000 / 30);
    expect(Math.abs(currentTimeStep() - expected)).toBeLessThanOrEqual(1);
  });
});

describe('otpauthUri', () => {
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

  it('has the exact documented shape with explicit parameters', () => {
    expect(otpauthUri({ issuer: 'Acme', account: 'alice@example.com', secret })).toBe(
      `otpauth://totp/Acme:alice%40example.com?secret=${secret}&issuer=Acme&algorithm=SHA1&digits=6&period=30`,
    );
  });

  it('percent-encodes issuer spaces and colons and the account "+" and "@"', () => {
    const uri = otpauthUri({ issuer: 'My Co: Dev', account: 'bob+2fa@example.com', secret });
    expect(uri).toBe(
      `otpauth://totp/My%20Co%3A%20Dev:bob%2B2fa%40example.com?secret=${secret}&issuer=My%20Co%3A%20Dev&algorithm=SHA1&digits=6&period=30`,
    );
    // exactly one unencoded ':' in the label, separating issuer and account
    const label = uri.slice('otpauth://totp/'.length, uri.indexOf('?'));
    expect(label.split(':')).toHaveLength(2);
    expect(uri).not.toContain('+');
    expect(uri).not.toContain(' ');
  });

  it('parses back to the same values', () => {
    const uri = new URL(otpauthUri({ issuer: 'My Co: Dev', account: 'bob+2fa@example.com', secret, algorithm: 'sha256', digits: 8, period: 60 }));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    const [issuer, account] = uri.pathname.slice(1).split(':').map(decodeURIComponent);
    expect(issuer).toBe('My Co: Dev');
    expect(account).toBe('bob+2fa@example.com');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('My Co: Dev');
    expect(uri.searchParams.get('algorithm')).toBe('SHA256');
    expect(uri.searchParams.get('digits')).toBe('8');
    expect(uri.searchParams.get('period')).toBe('60');
  });

  it('encodes non-ASCII and reserved characters', () => {
    const uri = otpauthUri({ issuer: 'Ünïcode & Co', account: 'a/b?c#d', secret, algorithm: 'sha512' });
    expect(uri).toContain('/%C3%9Cn%C3%AFcode%20%26%20Co:a%2Fb%3Fc%23d?');
    expect(uri).toContain('&algorithm=SHA512&');
  });

  it('refuses missing issuer/account and non-base32 secrets', () => {
    expect(() => otpauthUri({ issuer: '', account: 'a', secret })).toThrow(TypeError);
    expect(() => otpauthUri({ issuer: 'A', account: '', secret })).toThrow(TypeError);
    expect(() => otpauthUri({ issuer: 'A', account: 'a', secret: 'abc&x=1' })).toThrow(TypeError);
    expect(() => otpauthUri({ issuer: 'A', account: 'a', secret: `${secret}====` })).toThrow(TypeError);
  });
});
