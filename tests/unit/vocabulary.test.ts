import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODE_METHODS, EVENT_TYPES, FACTOR_METHODS, METHODS, isEventType, isFactorMethod } from '../../server/src/vocabulary';
import factorSchema from '../../server/src/content-types/factor/schema.json';
import { NOTICE_EVENTS, describeRemoved, methodNoun } from '../../server/src/core';

/**
 * The methods and the audit event types are spelled once, in server/src/vocabulary.ts, for the server
 * and the admin panel. The factor content type's JSON cannot import them, so it is checked here,
 * and so is every other source file: none spells the lists again.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const sources = (dir: string): { file: string; text: string }[] =>
  readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(rel);
    return /\.(tsx?|json)$/.test(entry.name) ? [{ file: rel, text: readFileSync(path.join(ROOT, rel), 'utf8') }] : [];
  });
const quotedList = (names: readonly string[]) => new RegExp(names.map((n) => `['"]${n}['"]`).join(',\\s*'));

describe('the vocabulary', () => {
  it("is the factor content type's method enumeration", () => {
    expect(factorSchema.attributes.method.enum).toEqual([...METHODS]);
  });

  it('is spelled nowhere else in the server or the admin panel', () => {
    const all = [...sources('server/src'), ...sources('admin/src')].filter(({ file }) => !file.includes(`${path.sep}translations${path.sep}`));
    const copies = all.filter(({ file, text }) => {
      // The content type's enum is JSON, checked above.
      if (file.endsWith('schema.json') || file === path.join('server', 'src', 'vocabulary.ts')) return false;
      return (
        [METHODS, FACTOR_METHODS, CODE_METHODS].some((list) => quotedList(list).test(text)) ||
        EVENT_TYPES.every((type) => text.includes(`'${type}'`))
      );
    });
    expect(copies.map(({ file }) => file)).toEqual([]);
    // Catches what it should: the lists as they were spelled before.
    expect(quotedList(METHODS).test("export const METHODS: Method[] = ['totp', 'email', 'sms', 'passkey'];")).toBe(true);
    expect(quotedList(CODE_METHODS).test("oneOf(['email', 'sms'], 'method must be one of email, sms')")).toBe(true);
  });

  it('tells its names from anything else', () => {
    expect(FACTOR_METHODS.every(isFactorMethod)).toBe(true);
    expect(EVENT_TYPES.every(isEventType)).toBe(true);
    for (const value of ['', 'TOTP', 'app', 'phone', 'backup_codes', 'login.success', null, undefined, 1, {}]) {
      expect(isFactorMethod(value), String(value)).toBe(false);
      expect(isEventType(value), String(value)).toBe(false);
    }
    expect(NOTICE_EVENTS.every(isEventType)).toBe(true);
  });

  it("names methods in the security notices by the vocabulary's nouns, in its order", () => {
    expect(FACTOR_METHODS.map(methodNoun)).toEqual(['authenticator app', 'email codes', 'SMS codes', 'passkeys', 'backup code']);
    expect(methodNoun('carrier pigeon')).toBe('carrier pigeon');
    expect(describeRemoved(['sms', 'totp', 'unknown'], 1)).toBe('your authenticator app, your SMS codes and your 1 backup code');
  });
});
