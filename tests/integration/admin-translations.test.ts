import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { EVENT_LABELS, EVENT_TYPES, FACTOR_METHODS, METHODS, METHOD_LABELS, METHOD_NOUNS, METHOD_SETTING_LABELS } from '../../server/src/vocabulary';

/**
 * Every string of the admin UI exists in English, French and German (issue 5, item 6), with the
 * same placeholders. Ids are read from the source: static `t('id', …)` / `trad('id', …)` calls, the
 * keys of the settings page's label table, and the methods and event types of server/src/vocabulary.ts
 * that the pages build ids from.
 */
const ROOT = path.resolve(__dirname, '..', '..', 'admin', 'src');
const LOCALES = ['en', 'fr', 'de'] as const;
const read = (locale: string): Record<string, string> => JSON.parse(fs.readFileSync(path.join(ROOT, 'translations', `${locale}.json`), 'utf8'));

const sources = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.tsx?$/.test(entry.name) ? [fs.readFileSync(full, 'utf8')] : [];
  });

const usedIds = () => {
  const ids = new Set<string>();
  const code = sources(ROOT).join('\n');
  for (const m of code.matchAll(/\b(?:t|trad)\(\s*'([^']+)'/g)) ids.add(m[1]);
  // Ids built from a table: settings.<field>[.hint], and those of the vocabulary's ids.
  const settings = fs.readFileSync(path.join(ROOT, 'pages', 'SettingsPage.tsx'), 'utf8');
  for (const m of settings.matchAll(/^ {2}(\w+): \['/gm)) ids.add(`settings.${m[1]}`).add(`settings.${m[1]}.hint`);
  for (const id of Object.keys(vocabularyIds())) ids.add(id);
  return ids;
};

/** The ids the pages build from server/src/vocabulary.ts, with the English the code falls back to. */
const vocabularyIds = (): Record<string, string> => ({
  ...Object.fromEntries(FACTOR_METHODS.map((m) => [`method.${m}`, METHOD_LABELS[m]])),
  ...Object.fromEntries(METHODS.map((m) => [`settings.method.${m}`, METHOD_SETTING_LABELS[m]])),
  ...Object.fromEntries(METHODS.map((m) => [`users.reset.method.${m}`, `their ${METHOD_NOUNS[m]}`])),
  ...Object.fromEntries(EVENT_TYPES.map((type) => [`events.type.${type}`, EVENT_LABELS[type]])),
});

const placeholders = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('admin translations', () => {
  const messages = Object.fromEntries(LOCALES.map((l) => [l, read(l)])) as Record<(typeof LOCALES)[number], Record<string, string>>;

  it('has every id the UI uses, in every locale', () => {
    const ids = usedIds();
    expect(ids.size).toBeGreaterThan(80);
    for (const locale of LOCALES) {
      const missing = [...ids].filter((id) => !(id in messages[locale]));
      expect(missing, locale).toEqual([]);
    }
  });

  it('has the same ids, non-empty, with the same placeholders in French and German', () => {
    const en = messages.en;
    for (const locale of ['fr', 'de'] as const) {
      expect(Object.keys(messages[locale]).sort()).toEqual(Object.keys(en).sort());
      for (const [id, text] of Object.entries(messages[locale])) {
        expect(text.trim(), `${locale} ${id}`).not.toBe('');
        expect(placeholders(text), `${locale} ${id}`).toEqual(placeholders(en[id]));
      }
      // Translated, not copied: only names and abbreviations may read the same.
      const same = Object.keys(en).filter((id) => messages[locale][id] === en[id]);
      expect(same.length, `${locale}: ${same.join(', ')}`).toBeLessThanOrEqual(6);
    }
  });

  it('names methods and event types as the vocabulary does, in English, and no others', () => {
    const expected = vocabularyIds();
    const prefixes = /^(method|settings\.method|users\.reset\.method|events\.type)\./;
    const english = Object.fromEntries(Object.entries(messages.en).filter(([id]) => prefixes.test(id)));
    expect(english).toEqual(expected);
  });
});
