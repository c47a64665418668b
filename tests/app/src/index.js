'use strict';

/**
 * The host app's own start-up: without SMTP_HOST it logs mail instead of sending it; with
 * ADMIN_EMAIL and ADMIN_PASSWORD set and no admin yet, it creates that super admin, so a person
 * (or a browser test) can sign straight into the panel.
 */
const logEmailProvider = require('./log-email-provider');

/** The host app's own actions a signed-in user may call (src/api/account), granted once. */
const ACCOUNT_ACTIONS = ['api::account.account.close', 'api::account.account.exportData'];

const grantAccountActions = async (strapi) => {
  const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
  const permissions = strapi.db.query('plugin::users-permissions.permission');
  for (const action of ACCOUNT_ACTIONS) {
    if (role && !(await permissions.count({ where: { action, role: role.id } }))) {
      await permissions.create({ data: { action, role: role.id } });
    }
  }
};

/** The same sensitive action over GraphQL, protected by the policy in resolversConfig. */
const accountGraphql = () => ({
  typeDefs: 'extend type Mutation { closeAccount: Boolean! }',
  resolvers: { Mutation: { closeAccount: () => true } },
  resolversConfig: {
    'Mutation.closeAccount': {
      auth: { scope: ['api::account.account.close'] },
      policies: process.env.TWO_FACTOR_PLUGIN === 'off' ? [] : ['plugin::two-factor.recent-factor'],
    },
  },
});

module.exports = {
  register({ strapi }) {
    if (strapi.plugin('graphql')) strapi.plugin('graphql').service('extension').use(accountGraphql);
    // USER_PHONE_ATTRIBUTE=phone: users carry a phone number, as some apps' user models do.
    const phoneAttribute = process.env.USER_PHONE_ATTRIBUTE;
    if (phoneAttribute) strapi.contentType('plugin::users-permissions.user').attributes[phoneAttribute] = { type: 'string' };
  },
  async bootstrap({ strapi }) {
    await grantAccountActions(strapi);

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
