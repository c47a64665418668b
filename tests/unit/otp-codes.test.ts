import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateNumericCode,
  hashOtpCode,
  normalizeNumericCode,
  safeEqualHex,
} from '../../server/src/core/otp-codes';

const key = randomBytes(32);

describe('generateNumericCode', () => {
  it('makes 6 ASCII digits by default, zero-padded', () => {
    for (let i = 0; i < 500; i++) expect(generateNumericCode()).toMatch(/^[0-9]{6}$/);
  });

  it('honours the length and refuses fewer than 6 digits', () => {
    expect(generateNumericCode(8)).toMatch(/^[0-9]{8}$/);
    expect(generateNumericCode(12)).toMatch(/^[0-9]{12}$/);
    expect(() => generateNumericCode(5)).toThrow(RangeError);
    expect(() => generateNumericCode(4)).toThrow(RangeError);
    expect(() => generateNumericCode(13)).toThrow(RangeError);
    expect(() => generateNumericCode(6.5)).toThrow(RangeError);
  });

  it('is spread over the whole range, leading zeros included', () => {
    const codes = Array.from({ length: 5000 }, () => generateNumericCode());
    expect(new Set(codes).size).toBeGreaterThan(4900);
    const firstDigits = new Set(codes.map((c) => c[0]));
    expect(firstDigits.size).toBe(10); // '0' appears as a first digit: codes are padded
  });
});

describe('hashOtpCode', () => {
  it('is HMAC-SHA256 hex of "challengeId:code" under the key', () => {
    const h = hashOtpCode('123456', 'ch-1', key);
    expect(h).toBe(createHmac('sha256', key).update('ch-1:123456').digest('hex'));
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(hashOtpCode('123456', 'ch-1', key)).toBe(h);
  });

  it('depends on the code, the challenge and the key', () => {
    const h = hashOtpCode('123456', 'ch-1', key);
    expect(hashOtpCode('123457', 'ch-1', key)).not.toBe(h);
    expect(hashOtpCode('123456', 'ch-2', key)).not.toBe(h);
    expect(hashOtpCode('123456', 'ch-1', randomBytes(32))).not.toBe(h);
  });

  it('refuses short keys and missing challenge ids', () => {
    expect(() => hashOtpCode('123456', 'ch-1', randomBytes(16))).toThrow(TypeError);
    expect(() => hashOtpCode('123456', '', key)).toThrow(TypeError);
    expect(() => hashOtpCode(123456 as unknown as string, 'ch', key)).toThrow(TypeError);
  });
});

describe('safeEqualHex', () => {
  const a = hashOtpCode('123456', 'ch', key);
  it('true only for equal digests (case-insensitive hex)', () => {
    expect(safeEqualHex(a, a)).toBe(true);
    expect(safeEqualHex(a, a.toUpperCase())).toBe(true);
    expect(safeEqualHex(a, hashOtpCode('654321', 'ch', key))).toBe(false);
  });

  it('false on length mismatch, empty, odd length, non-hex or non-strings (no throw)', () => {
    expect(safeEqualHex(a, a.slice(0, -2))).toBe(false);
    expect(safeEqualHex(a.slice(0, -2), a)).toBe(false);
    expect(safeEqualHex('', '')).toBe(false);
    expect(safeEqualHex('abc', 'abc')).toBe(false);
    expect(safeEqualHex('zz', 'zz')).toBe(false);
    expect(safeEqualHex(`${a.slice(0, -1)}g`, `${a.slice(0, -1)}g`)).toBe(false);
    expect(safeEqualHex(null as unknown as string, a)).toBe(false);
    expect(safeEqualHex(a, undefined as unknown as string)).toBe(false);
  });
});

describe('normalizeNumericCode', () => {
  it.each<[unknown, number, string | null]>([
    ['123456', 6, '123456'],
    [' 123456 ', 6, '123456'],
    ['\t012345\n', 6, '012345'],
    ['12345678', 8, '12345678'],
    ['12345678', 6, null],
    ['12345', 6, null],
    ['12 3456', 6, null],
    ['12345a', 6, null],
    ['１２３４５６', 6, null],
    ['١٢٣٤٥٦', 6, null],
    ['+12345', 6, null],
    ['', 6, null],
    ['1'.repeat(10_000), 6, null],
    [123456, 6, null],
    [null, 6, null],
    [undefined, 6, null],
    [{}, 6, null],
    [['123456'], 6, null],
    ['123456', 0, null],
    ['123456', Number.NaN, null],
  ])('%j with %i digits -> %j', (input, digits, expected) => {
    expect(normalizeNumericCode(input, digits)).toBe(expected);
  });
});
