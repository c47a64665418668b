import { createHmac } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { deriveKey, type Keyring } from '../core';
import { PLUGIN_ID } from '../utils/plugin';
import type { PluginConfig } from '../config';

/**
 * The plugin's keys, all derived from the configured encryption key: one for TOTP secrets at
 * rest (with old keys kept for reading), one for pending-login tokens, one for code hashes.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  let keys: { secrets: Keyring; pendingToken: Buffer; codeHmac: Buffer } | null = null;

  const material = (): string => {
    const configured = (strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig).encryptionKey;
    if (configured) return configured;
    if (process.env.NODE_ENV === 'production') {
      throw new Error(
        'two-factor: set an encryptionKey in config/plugins (for example from TWO_FACTOR_ENCRYPTION_KEY); it is required in production'
      );
    }
    strapi.log.warn(
      'two-factor: no encryptionKey configured; using a development key derived from the app keys. Set TWO_FACTOR_ENCRYPTION_KEY before production.'
    );
    const appKeys = (strapi.config.get('server.app.keys') as string[] | undefined) ?? [];
    return `dev-fallback:${appKeys.join(',')}`;
  };

  const sub = (master: Buffer, label: string) => createHmac('sha256', master).update(label).digest();

  return {
    /** Called in bootstrap so a missing production key stops the app at start, not at first login. */
    load() {
      const config = strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;
      const master = deriveKey(material());
      keys = {
        secrets: {
          current: master,
          previous: (config.previousEncryptionKeys || []).filter(Boolean).map((k) => deriveKey(k)),
        },
        pendingToken: sub(master, 'two-factor:pending-token'),
        codeHmac: sub(master, 'two-factor:code-hmac'),
      };
      return keys;
    },
    get() {
      return keys ?? this.load();
    },
  };
};
