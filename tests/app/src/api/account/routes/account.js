'use strict';

/**
 * A host app's own sensitive routes, protected by the plugin's `recent-factor` policy: the
 * caller's session must have passed a second factor recently (docs/step-up.md).
 */
// The host app also runs without the plugin (TWO_FACTOR_PLUGIN=off, the bench's baseline): no policy then.
const pluginOn = process.env.TWO_FACTOR_PLUGIN !== 'off';
const recentFactor = (config) => (pluginOn ? [config ? { name: 'plugin::two-factor.recent-factor', config } : 'plugin::two-factor.recent-factor'] : []);

module.exports = {
  routes: [
    {
      method: 'POST',
      path: '/account/close',
      handler: 'account.close',
      config: { policies: recentFactor() },
    },
    {
      method: 'POST',
      path: '/account/export',
      handler: 'account.exportData',
      // Stricter than the plugin's window: a factor passed within the last 2 seconds.
      config: { policies: recentFactor({ maxAge: 2 }) },
    },
  ],
};
