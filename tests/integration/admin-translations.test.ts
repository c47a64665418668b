import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { EVENT_TYPES as SERVER_EVENT_TYPES } from '../../server/src/services/audit';
import { EVENT_TYPES as ADMIN_EVENT_TYPES } from '../../admin/src/utils/types';

/**
 * Every string of the admin UI exists in English, French and German (issue 5, item 6), with the
 * same placeholders. Ids are read from the source: static `t('id', …)` / `trad('id', …)` calls and
 * the keys of the label tables the pages build ids from.
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
  // Ids built from a table: settings.<field>[.hint], settings.method.<m>, events.type.<type>.
  const settings = fs.readFileSync(path.join(ROOT, 'pages', 'SettingsPage.tsx'), 'utf8');
  for (const m of settings.matchAll(/^ {2}(\w+): \['/gm)) ids.add(`settings.${m[1]}`).add(`settings.${m[1]}.hint`);
  for (const method of ['totp', 'email', 'sms']) ids.add(`settings.method.${method}`);
  const types = fs.readFileSync(path.join(ROOT, 'utils', 'types.ts'), 'utf8');
  const list = /EVENT_TYPES = \[([\s\S]*?)\]/.exec(types)![1];
  for (const m of list.matchAll(/'([^']+)'/g)) ids.add(`events.type.${m[1]}`);
  return ids;
};

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

  it("offers the audit log's filter every event type the server records, and no other", () => {
    expect([...ADMIN_EVENT_TYPES]).toEqual([...SERVER_EVENT_TYPES]);
  });
});
