'use strict';

/**
 * The host app's own start-up: without SMTP_HOST it logs mail instead of sending it; with
 * ADMIN_EMAIL and ADMIN_PASSWORD set and no admin yet, it creates that super admin, so a person
 * (or a browser test) can sign straight into the panel.
 */
const logEmailProvider = require('./log-email-provider');

module.exports = {
  register() {},
  async bootstrap({ strapi }) {
    // Without SMTP_HOST, mail goes to the log (config/plugins.js, docs/development.md, "The host app").
    if (!process.env.SMTP_HOST) {
      const { settings } = strapi.config.get('plugin::email');
      strapi.plugin('email').provider = logEmailProvider({ log: strapi.log, defaultFrom: settings?.defaultFrom });
    }

    const email = process.env.ADMIN_EMAIL;
    const password = process.env.ADMIN_PASSWORD;
    if (!email || !password) return;
    if (await strapi.service('admin::user').exists()) return;
    const superAdminRole = await strapi.service('admin::role').getSuperAdmin();
    if (!superAdminRole) return;
    await strapi.service('admin::user').create({
      email,
      firstname: 'Admin',
      lastname: 'Two-factor',
      password,
      registrationToken: null,
      isActive: true,
      roles: [superAdminRole.id],
    });
    strapi.log.info(`Created the super admin ${email}`);
  },
};
