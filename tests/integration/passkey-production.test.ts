import { describe, it, expect } from 'vitest';
import { startApp } from '../helpers/strapi';
import { createTestDatabase } from '../helpers/database';
import { tryAppProcess } from '../helpers/process';
import { PASSKEY_ENV, enablePasskeys } from '../helpers/passkey-flows';

/**
 * Production never runs with passkeys switched on and no relying party (docs/configuration.md,
 * Passkeys): the start fails with a message naming both config keys; with them it starts.
 */
describe('production with passkeys switched on', () => {
  it('refuses to start without passkeys.rpId and passkeys.origins, and starts with them', async () => {
    const database = await createTestDatabase();
    try {
      const app = await startApp(PASSKEY_ENV, { database, keepDatabase: true });
      try {
        await enablePasskeys(app);
      } finally {
        await app.stop();
      }
      // The host app has no passkey defaults in production.
      const refused = await tryAppProcess({ ...database.env, NODE_ENV: 'production' });
      if (refused.ready) {
        await refused.app.stop();
        throw new Error('the app started in production with passkeys on and no relying party');
      }
      expect(refused.code).not.toBe(0);
      expect(refused.output).toContain('two-factor: passkeys are switched on (settings methods.passkey)');
      expect(refused.output).toContain("'two-factor'.config.passkeys.rpId");
      expect(refused.output).toContain('passkeys.origins');

      const started = await tryAppProcess({ ...database.env, NODE_ENV: 'production', ...PASSKEY_ENV });
      expect(started.ready, started.ready ? '' : started.output).toBe(true);
      if (started.ready) {
        const options = await started.app.http().post('/api/two-factor/passkeys/login/options').send();
        // Up, passkeys on, passwordless off.
        expect(options.status).toBe(403);
        await started.app.stop();
      }
    } finally {
      await database.drop();
    }
  });
});
