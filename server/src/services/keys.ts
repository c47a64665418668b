import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '@strapi/strapi';
import { deriveKey, keyId, type Keyring } from '../core';
import { PLUGIN_ID } from '../utils/plugin';
import type { PluginConfig } from '../config';

/** The environment variable the README and the messages below tell operators to set. */
export const KEY_VARIABLE = 'TWO_FACTOR_ENCRYPTION_KEY';
/** How the development warning starts (the marketplace suite fails if it sees it). */
export const DEVELOPMENT_KEY_WARNING = 'two-factor: no encryptionKey is configured';

/** The development key's material: derived from the app keys, so it is stable across restarts. */
export const developmentKeyMaterial = (appKeys: string[]) => `dev-fallback:${appKeys.join(',')}`;

/**
 * Which configuration file Strapi read the plugin's entry from, and which one it ignored. A
 * JavaScript app reads `config/plugins.js` (or `.json`) and skips `config/plugins.ts` with one
 * console line; a TypeScript app reads its compiled `dist/config/plugins.js`, written from
 * `config/plugins.ts`. An environment file (`config/env/<NODE_ENV>/plugins.js`) is read on top.
 */
export function configSource(strapi: Core.Strapi): { read: string[]; ignored: string[]; file: string } {
  const appRoot = strapi.dirs.app.root;
  const distRoot = strapi.dirs.dist.root;
  const typescript = path.resolve(appRoot) !== path.resolve(distRoot);
  const bases = ['config/plugins', ...(process.env.NODE_ENV ? [`config/env/${process.env.NODE_ENV}/plugins`] : [])];
  const read: string[] = [];
  const ignored: string[] = [];
  for (const base of bases) {
    const found = ['.js', '.json'].find((ext) => fs.existsSync(path.join(distRoot, base + ext)));
    if (found) read.push(typescript ? `${base}.ts` : base + found);
    // Beside it or instead of it, a JavaScript app never reads these.
    if (!typescript) ignored.push(...['.ts', '.mjs', '.cjs'].map((ext) => base + ext).filter((f) => fs.existsSync(path.join(appRoot, f))));
  }
  return { read, ignored, file: read[read.length - 1] ?? (typescript ? 'config/plugins.ts' : 'config/plugins.js') };
}

const readText = (file: string) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

/**
 * What to tell an operator whose app runs without a key: the file to edit, the entry to add, the
 * variable to set, and why the key they believe they set did not arrive.
 */
export function missingKeyAdvice(strapi: Core.Strapi): string[] {
  const { read, ignored, file } = configSource(strapi);
  const generate = `64 hex characters: node -e "console.log(require('crypto').randomBytes(32).toString('hex'))"`;
  // A file that already reads the key from a variable only lacks the variable.
  const source = read.length ? readText(path.join(strapi.dirs.dist.root, read[read.length - 1].replace(/\.ts$/, '.js'))) : '';
  const variable = /encryptionKey\s*:\s*env\(\s*['"]([^'"]+)['"]/.exec(source)?.[1];
  const lines =
    variable && !process.env[variable]
      ? [`Strapi read ${read.join(' and ')}, whose 'two-factor' entry takes encryptionKey from ${variable}, and ${variable} is not set.`, `Set ${variable} in the environment or .env (${generate}).`]
      : [
          read.length
            ? `Strapi read ${read.join(' and ')}: add encryptionKey to its 'two-factor' entry, merged into what is there:`
            : `Strapi read no plugins configuration: create ${file} with:`,
          file.endsWith('.ts')
            ? `  export default ({ env }) => ({ 'two-factor': { config: { encryptionKey: env('${KEY_VARIABLE}') } } });`
            : `  module.exports = ({ env }) => ({ 'two-factor': { config: { encryptionKey: env('${KEY_VARIABLE}') } } });`,
          `and set ${KEY_VARIABLE} in the environment or .env (${generate}).`,
        ];
  for (const file of ignored) {
    lines.push(`${file} is NOT read: this is a JavaScript app, Strapi reads only .js and .json config files. Move its entries into ${file.replace(/\.(ts|mjs|cjs)$/, '.js')}.`);
  }
  if (process.env[KEY_VARIABLE] && variable !== KEY_VARIABLE) {
    lines.push(`${KEY_VARIABLE} is set in the environment, but nothing passes it to the plugin: ${file} has no encryptionKey: env('${KEY_VARIABLE}').`);
  }
  return lines;
}

/**
 * The plugin's keys, all derived from the configured encryption key: one for TOTP secrets at
 * rest (with old keys kept for reading), one for pending-login tokens, one for code hashes, one
 * for the hashes of remembered-device tokens.
 *
 * The development key (derived from the app keys while no key is configured) is a first-class
 * previous key: once a real key is set, secrets sealed with the development key stay readable and
 * the next start re-encrypts them with the real key (services/key-rotation.ts, audited).
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  let keys: { secrets: Keyring; pendingToken: Buffer; codeHmac: Buffer; deviceHmac: Buffer; development: boolean; developmentKeyId: string | null } | null = null;

  const appKeys = () => ((strapi.config.get('server.app.keys') as string[] | undefined) ?? []).filter(Boolean);

  const developmentKey = (): Buffer | null => {
    const material = developmentKeyMaterial(appKeys());
    return appKeys().length ? deriveKey(material) : null;
  };

  const material = (): { material: string; development: boolean } => {
    const configured = (strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig).encryptionKey;
    if (configured) return { material: configured, development: false };
    const advice = missingKeyAdvice(strapi);
    if (process.env.NODE_ENV === 'production') {
      throw new Error(
        [`two-factor: an encryptionKey is required when NODE_ENV=production, and none is configured.`, ...advice].join('\n  ')
      );
    }
    strapi.log.warn(
      [
        `${DEVELOPMENT_KEY_WARNING}; TOTP secrets are sealed with a development key derived from the app keys (APP_KEYS). Before production:`,
        ...advice,
        'Secrets enrolled under the development key move to the real key by themselves on its first start.',
      ].join('\n  ')
    );
    return { material: developmentKeyMaterial(appKeys()), development: true };
  };

  const sub = (master: Buffer, label: string) => createHmac('sha256', master).update(label).digest();

  return {
    /** Called in bootstrap so a missing production key stops the app at start, not at first login. */
    load() {
      const config = strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;
      const { material: current, development } = material();
      const master = deriveKey(current);
      const dev = development ? null : developmentKey();
      const previous = [...(config.previousEncryptionKeys || []).filter(Boolean).map((k) => deriveKey(k)), ...(dev ? [dev] : [])];
      // One entry per key: a development key also listed by hand, or the current key repeated, counts once.
      const unique = previous.filter((key, i) => !key.equals(master) && previous.findIndex((k) => k.equals(key)) === i);
      keys = {
        secrets: { current: master, previous: unique },
        pendingToken: sub(master, 'two-factor:pending-token'),
        codeHmac: sub(master, 'two-factor:code-hmac'),
        deviceHmac: sub(master, 'two-factor:device-hmac'),
        development,
        developmentKeyId: development ? keyId(master) : dev ? keyId(dev) : null,
      };
      return keys;
    },
    get() {
      return keys ?? this.load();
    },
  };
};
