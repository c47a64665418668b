'use strict';

/**
 * The host app's own start-up: with ADMIN_EMAIL and ADMIN_PASSWORD set and no admin yet, it
 * creates that super admin, so a person (or a browser test) can sign straight into the panel.
 */
module.exports = {
  register() {},
  async bootstrap({ strapi }) {
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
