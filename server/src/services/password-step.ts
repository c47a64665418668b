import type { Core } from '@strapi/strapi';
import { errors, validateYupSchema, yup } from '@strapi/utils';
import { UID, getService, upService } from '../utils/plugin';
import { columnOf, tableOf, withKnex } from '../utils/db';
import type { RequestMeta } from '../utils/request-meta';
import type { PendingLogin, Purpose } from './login';

export interface PasswordInput {
  identifier: string;
  password: string;
  /** A remembered device's token (cookie, header or body), of any type: only a valid one counts. */
  deviceToken?: unknown;
}

/** A local user as users-permissions' login reads it (no relation populated). */
type LocalUser = { id: number; password?: string | null; confirmed?: boolean | null; blocked?: boolean | null };

/**
 * What a password step comes to: a pending login, or the user who needs no second factor (with
 * the deadline to set one up, for a required role inside its grace period).
 */
export type PasswordOutcome = { pending: PendingLogin } | { user: LocalUser; setupRequiredBy?: string };

/** What the plugin adds in front of users-permissions' login: a pending login, or a set-up deadline to mention. */
export type PasswordStepAddition = { pending: PendingLogin } | { setupRequiredBy: string } | { remembered: LocalUser };

// users-permissions' own check of a local login's body, so its answer to a bad one is the same.
const validateBody = validateYupSchema(yup.object({ identifier: yup.string().required(), password: yup.string().required() }));

/**
 * The password step of a local login, with users-permissions' checks, order and messages (a
 * wrong password, an unknown account and a 2FA account with a wrong password answer alike), and
 * then the second factor's part: a pending login for an account that needs one.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const upStore = () => strapi.store({ type: 'plugin', name: 'users-permissions' });

  const findLocal = (identifier: string): Promise<LocalUser | null> =>
    strapi.db.query(UID.user).findOne({
      where: { provider: 'local', $or: [{ email: identifier.toLowerCase() }, { username: identifier }] },
    });

  /** What users-permissions checks once it has the account: the password, then confirmation and block. */
  const admit = async (user: LocalUser | null, password: string): Promise<LocalUser> => {
    if (!user?.password || !(await upService(strapi, 'user').validatePassword(password, user.password))) {
      throw new errors.ValidationError('Invalid identifier or password');
    }
    const advanced = (await upStore().get({ key: 'advanced' })) as { email_confirmation?: boolean } | null;
    if (advanced?.email_confirmation && user.confirmed !== true) {
      throw new errors.ApplicationError('Your account email is not confirmed');
    }
    if (user.blocked === true) {
      throw new errors.ApplicationError('Your account has been blocked by an administrator');
    }
    return user;
  };

  /**
   * The second factor's part, once the password was checked: the pending login, or none when the
   * request comes from a device the account remembers (docs/security.md, remembered devices).
   */
  const pendingUnlessRemembered = async (user: LocalUser, purpose: Purpose, input: PasswordInput, meta?: RequestMeta) => {
    if (purpose === 'login' && (await getService(strapi, 'devices').admits(user, input.deviceToken, meta))) return null;
    return getService(strapi, 'login').start(user, purpose, meta);
  };

  /**
   * Whether the login can owe nothing to the plugin, from the cached settings and one read: no
   * local account this identifier names has a confirmed factor. Most logins are of such accounts,
   * and users-permissions then answers them alone. Returns the id of an account that does have one.
   * Joined with knex: a factor's user id is a plain column, not a relation the query engine follows.
   */
  const accountWithFactor = async (identifier: string): Promise<{ owed: boolean; userId?: number }> => {
    const settings = await getService(strapi, 'settings').get();
    if (!settings.enabled) return { owed: false };
    // A required role owes a set-up to accounts without a factor: only the full step can tell.
    if (settings.enforcedRoles.length) return { owed: true };
    const u = (attribute: string) => `u.${columnOf(strapi, UID.user, attribute)}`;
    const f = (attribute: string) => `f.${columnOf(strapi, UID.factor, attribute)}`;
    const row: { userId?: unknown } | undefined = await withKnex(strapi, (knex: any) =>
      knex({ f: tableOf(strapi, UID.factor) })
        .join({ u: tableOf(strapi, UID.user) }, u('id'), f('userId'))
        .where(u('provider'), 'local')
        .where((q: any) => q.where(u('email'), identifier.toLowerCase()).orWhere(u('username'), identifier))
        .whereNotNull(f('confirmedAt'))
        .first({ userId: f('userId') })
    );
    return row ? { owed: true, userId: Number(row.userId) } : { owed: false };
  };

  const localLoginOpen = async () => Boolean(((await upStore().get({ key: 'grant' })) as { email?: { enabled?: boolean } } | null)?.email?.enabled);

  return {
    /**
     * In front of users-permissions' own login (REST and its GraphQL `login`): the pending login
     * of an account that needs a second factor and gave the right password. Null when the plugin
     * has nothing to add, before any password check: users-permissions then answers as always,
     * every error included, with one password hash compared in all.
     */
    async pendingFor(input: PasswordInput, meta?: RequestMeta): Promise<PasswordStepAddition | null> {
      const owed = await accountWithFactor(input.identifier);
      if (!owed.owed || !(await localLoginOpen())) return null;
      const user = await findLocal(input.identifier);
      if (!user || !user.password) return null;
      const requirement = await getService(strapi, 'login').requirement(user, { confirmed: owed.owed && owed.userId === user.id ? true : undefined });
      if (requirement.purpose) {
        // A remembered device answers null too: users-permissions then logs the user in as always.
        const admitted = await admit(user, input.password);
        const pending = await pendingUnlessRemembered(admitted, requirement.purpose, input, meta);
        // A remembered device: the caller issues the tokens, so the password is hashed once.
        return pending ? { pending } : { remembered: admitted };
      }
      // Only said once users-permissions has checked the password and answered its login.
      return requirement.setupRequiredBy ? { setupRequiredBy: requirement.setupRequiredBy } : null;
    },

    /**
     * The whole password step, for the dialects that sign in with a password in their own
     * operations: the pending login of an account that needs a second factor, else the user,
     * for the caller to issue tokens to as users-permissions would.
     */
    async run(input: PasswordInput, meta?: RequestMeta): Promise<PasswordOutcome> {
      if (!(await localLoginOpen())) throw new errors.ApplicationError('This provider is disabled');
      await validateBody(input);
      const user = await admit(await findLocal(input.identifier), input.password);
      const requirement = await getService(strapi, 'login').requirement(user);
      if (!requirement.purpose) return requirement.setupRequiredBy ? { user, setupRequiredBy: requirement.setupRequiredBy } : { user };
      const pending = await pendingUnlessRemembered(user, requirement.purpose, input, meta);
      return pending ? { pending } : { user };
    },

    /** Whether `password` is the signed-in user's own (a dialect's re-check before a change). */
    async matches(userId: number, password: string): Promise<boolean> {
      const user = await strapi.db.query(UID.user).findOne({ where: { id: userId }, select: ['password'] });
      return Boolean(user?.password) && (await upService(strapi, 'user').validatePassword(password, user.password));
    },
  };
};
