import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICE_ORDER } from '../../server/src/services';

/**
 * Services call each other one way: each module may import (even a type) or `getService` only
 * services that sit before it in SERVICE_ORDER (server/src/services/index.ts). A call upward is a
 * cycle waiting to happen, and this test names it.
 */
const DIR = path.resolve(__dirname, '..', '..', 'server', 'src', 'services');
const keyOf = (file: string) => file.replace(/\.ts$/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const files = readdirSync(DIR).filter((file) => file.endsWith('.ts') && file !== 'index.ts');

/** The services a module's source names: by import from a sibling file, or by getService. */
const dependenciesOf = (source: string): string[] => {
  const imported = [...source.matchAll(/(?:from|import\()\s*'\.\/([a-z-]+)'/g)].map(([, file]) => keyOf(file));
  const called = [...source.matchAll(/getService(?:<[^>]*>)?\(\s*strapi\s*,\s*'([A-Za-z]+)'/g)].map(([, name]) => name);
  return [...new Set([...imported, ...called])];
};

describe('the services depend on each other in one direction', () => {
  it('every service module is in the declared order, and only those', () => {
    expect(files.map(keyOf).sort()).toEqual([...SERVICE_ORDER].sort());
  });

  it('no module imports or calls a service at or above its own place', () => {
    const order: readonly string[] = SERVICE_ORDER;
    const upward: string[] = [];
    for (const file of files) {
      const self = keyOf(file);
      for (const dependency of dependenciesOf(readFileSync(path.join(DIR, file), 'utf8'))) {
        const at = order.indexOf(dependency);
        if (at === -1) upward.push(`${self} → ${dependency} (not a service)`);
        else if (at >= order.indexOf(self)) upward.push(`${self} → ${dependency}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('reads both kinds of dependency (the check can fail)', () => {
    const source = `import type { Caller } from './callers';\nconst x = () => getService(strapi, 'login').resolve();`;
    expect(dependenciesOf(source).sort()).toEqual(['callers', 'login']);
  });
});
