import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { UID, getService } from '../utils/plugin';
import { twoFactorError } from '../utils/errors';
import type { RequestMeta } from '../utils/request-meta';
import { PASSKEY } from '../vocabulary';
import type { IssuedLogin, TokenRequest } from './tokens';

/** The one binding of passwordless challenges: no user or pending login exists before the assertion. */
const BINDING = 'passwordless';

/**
 * Signing in with a passkey alone (operator setting `passkeys.passwordless`, off by default). A
 * discoverable credential with user verification (the UV flag: a PIN or a biometric on the
 * authenticator) proves possession and the user's presence in one gesture, so it counts as both
 * factors, for a role that requires 2FA too (docs/security.md, Passkeys). Before issuing
 * anything, the account is refused as the password login refuses it: an unconfirmed email (when
 * users-permissions asks for confirmation), a blocked account, a locked second factor.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const passkeys = () => getService(strapi, 'passkeys');

  const assertOpen = async () => {
    const settings = await getService(strapi, 'settings').get();
    if (!settings.passkeys.passwordless || !(await passkeys().usable())) throw twoFactorError('PASSWORDLESS_OFF');
  };

  /** What users-permissions refuses after the password: its messages, in its order. */
  const admit = async (user: any) => {
    const advanced = (await strapi.store({ type: 'plugin', name: 'users-permissions' }).get({ key: 'advanced' })) as {
      email_confirmation?: boolean;
    } | null;
    if (advanced?.email_confirmation && user.confirmed !== true) {
      throw new errors.ApplicationError('Your account email is not confirmed');
    }
    if (user.blocked === true) {
      throw new errors.ApplicationError('Your account has been blocked by an administrator');
    }
  };

  return {
    /** `POST /passkeys/login/options`: options for a discoverable credential (empty allowCredentials, UV required). */
    async options() {
      await assertOpen();
      return passkeys().assertionOptions('passkey-passwordless', null, BINDING);
    },

    /**
     * `POST /passkeys/login`: the assertion names its credential; its challenge is consumed
     * whatever the outcome. A refused assertion is audited as a failed verify but not counted
     * toward the account's lock: anyone may send one naming a credential id, and the lock would
     * then be theirs to pull (a locked account is still refused).
     */
    async login(input: { response: unknown; meta?: RequestMeta; request: TokenRequest }): Promise<IssuedLogin> {
      await assertOpen();
      const named = await passkeys().named(input.response);
      if (!named) throw twoFactorError('PASSKEY_INVALID');
      const userId = Number(named.userId);
      await getService(strapi, 'attempts').assertUnlocked(userId);
      const outcome = await passkeys().checkAssertion({
        purpose: 'passkey-passwordless',
        binding: BINDING,
        userId,
        response: input.response,
        requireUserVerification: true,
        meta: input.meta,
      });
      const audit = getService(strapi, 'audit');
      if (!outcome.ok) {
        await audit.record('verify.failed', { userId, method: PASSKEY, meta: input.meta, details: { passwordless: true } });
        throw twoFactorError(outcome.reason === 'counter' ? 'PASSKEY_COUNTER_REGRESSION' : 'PASSKEY_INVALID');
      }
      const user = await strapi.db.query(UID.user).findOne({ where: { id: userId } });
      if (!user) throw twoFactorError('PASSKEY_INVALID');
      await admit(user);
      await audit.record('verify.succeeded', { userId, method: PASSKEY, meta: input.meta, details: { passwordless: true } });
      return getService(strapi, 'tokens').issue(user, input.request, { afterSecondFactor: true });
    },
  };
};
