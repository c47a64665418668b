import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateBackupCodes, hashBackupCode, normalizeBackupCode } from '../../server/src/core/backup-codes';

const FORMAT = /^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/;

describe('generateBackupCodes', () => {
  it('makes 10 distinct grouped base32 codes by default', () => {
    const codes = generateBackupCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(FORMAT);
  });

  it('honours count and refuses silly counts', () => {
    expect(generateBackupCodes(1)).toHaveLength(1);
    expect(generateBackupCodes(16)).toHaveLength(16);
    expect(() => generateBackupCodes(0)).toThrow(RangeError);
    expect(() => generateBackupCodes(-1)).toThrow(RangeError);
    expect(() => generateBackupCodes(2.5)).toThrow(RangeError);
    expect(() => generateBackupCodes(1_000_000)).toThrow(RangeError);
  });

  it('carries 80 bits: 16 symbols of 32, all symbols used over many codes, no repeats', () => {
    const all = Array.from({ length: 200 }, () => generateBackupCodes(10)).flat();
    expect(new Set(all).size).toBe(all.length);
    const symbols = new Set(all.join('').replace(/-/g, ''));
    expect(symbols.size).toBe(32);
    expect(16 * Math.log2(32)).toBe(80);
  });

  it('every generated code normalizes to itself without dashes', () => {
    for (const c of generateBackupCodes(20)) expect(normalizeBackupCode(c)).toBe(c.replace(/-/g, ''));
  });
});

describe('normalizeBackupCode', () => {
  it.each([
    ['ABCD-EFGH-IJKL-MNOP', 'ABCDEFGHIJKLMNOP'],
    ['abcd-efgh-ijkl-mnop', 'ABCDEFGHIJKLMNOP'],
    ['ABCDEFGHIJKLMNOP', 'ABCDEFGHIJKLMNOP'],
    ['  abcd efgh ijkl mnop  ', 'ABCDEFGHIJKLMNOP'],
    ['AB-CD-EF-GH-IJ-KL-MN-OP', 'ABCDEFGHIJKLMNOP'],
    ['2345-6723-4567-ZZZZ', '234567234567ZZZZ'],
  ])('%j -> %s', (input, expected) => {
    expect(normalizeBackupCode(input)).toBe(expected);
  });

  it.each<[string, unknown]>([
    ['too short', 'ABCD-EFGH-IJKL-MNO'],
    ['too long', 'ABCD-EFGH-IJKL-MNOPQ'],
    ['digit 0 (not base32)', 'ABCD-EFGH-IJKL-MN0P'],
    ['digit 1', 'ABCD-EFGH-IJKL-MN1P'],
    ['digit 8', 'ABCD-EFGH-IJKL-MN8P'],
    ['punctuation', 'ABCD_EFGH_IJKL_MNOP'],
    ['dotless i uppercases to I', 'ABCD-EFGH-ıJKL-MNOP'],
    ['long s uppercases to S', 'ABCD-EFGH-IJKL-MNOſ'],
    ['fullwidth', 'ＡＢＣＤ-EFGH-IJKL-MNOP'],
    ['empty', ''],
    ['huge', 'A'.repeat(10_000)],
    ['number', 1234567890123456],
    ['null', null],
    ['undefined', undefined],
    ['object', {}],
    ['array', ['ABCDEFGHIJKLMNOP']],
  ])('%s -> null', (_label, input) => {
    expect(normalizeBackupCode(input)).toBeNull();
  });
});

describe('hashBackupCode', () => {
  it('is the sha256 hex of the normalized code and deterministic', () => {
    const h = hashBackupCode('ABCDEFGHIJKLMNOP');
    expect(h).toBe(createHash('sha256').update('ABCDEFGHIJKLMNOP').digest('hex'));
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(hashBackupCode('ABCDEFGHIJKLMNOP')).toBe(h);
    expect(hashBackupCode('ABCDEFGHIJKLMNOQ')).not.toBe(h);
  });

  it('any spelling of a code hashes the same after normalization', () => {
    const [code] = generateBackupCodes(1);
    const variants = [code!, code!.toLowerCase(), code!.replace(/-/g, ' '), ` ${code!.replace(/-/g, '')} `];
    const hashes = new Set(variants.map((v) => hashBackupCode(normalizeBackupCode(v)!)));
    expect(hashes.size).toBe(1);
  });

  it('does not contain the code', () => {
    expect(hashBackupCode('ABCDEFGHIJKLMNOP')).not.toContain('ABCD');
  });

  it('refuses non-normalized input (it could never match a stored hash)', () => {
    expect(() => hashBackupCode('ABCD-EFGH-IJKL-MNOP')).toThrow(TypeError);
    expect(() => hashBackupCode('abcdefghijklmnop')).toThrow(TypeError);
    expect(() => hashBackupCode('')).toThrow(TypeError);
  });
});
