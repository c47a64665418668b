'use strict';

/**
 * A host app's own sensitive routes, protected by the plugin's `recent-factor` policy: the
 * caller's session must have passed a second factor recently (docs/step-up.md).
 */
module.exports = {
  routes: [
    {
      method: 'POST',
      path: '/account/close',
      handler: 'account.close',
      config: { policies: ['plugin::two-factor.recent-factor'] },
    },
    {
      method: 'POST',
      path: '/account/export',
      handler: 'account.exportData',
      // Stricter than the plugin's window: a factor passed within the last 2 seconds.
      config: { policies: [{ name: 'plugin::two-factor.recent-factor', config: { maxAge: 2 } }] },
    },
  ],
};
