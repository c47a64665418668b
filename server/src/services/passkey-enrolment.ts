import type { Core } from '@strapi/strapi';
import { UID, getService } from '../utils/plugin';
import { twoFactorError } from '../utils/errors';
import type { RequestMeta } from '../utils/request-meta';
import { PASSKEY, type Method } from '../vocabulary';
import { PASSKEY_LIMIT, type PasskeyView } from './passkeys';
import { stepUpRequired, type StepUpProof } from './step-up';
import type { IssuedLogin, TokenRequest } from './tokens';
import type { Caller } from './callers';

/** A registration begun (options) before the account had a factor cannot finish as its second one without a step-up. */
const RESTART_WITH_STEP_UP =
  'The account has a two-factor method now: ask for new passkey options giving a current two-factor code as `code`, or give it with this request';

export interface AddedPasskey extends PasskeyView {
  enabled: true;
  methods: Method[];
  /** With the account's first factor, as a first confirmed TOTP gets them. */
  backupCodes?: string[];
}

const tooMany = () =>
  twoFactorError('PASSKEY_LIMIT', `An account holds at most ${PASSKEY_LIMIT} passkeys: remove one before adding another`);

/**
 * A user's passkeys as factors: adding one (after the WebAuthn ceremony, with the step-up any
 * added factor needs), renaming and removing them (with the step-up any removal needs). All of a
 * user's passkeys are one confirmed factor of method `passkey` (a factor row exists while they
 * have at least one), so status, the login's methods, disable and the admin's reset treat them
 * as they treat any method.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const passkeys = () => getService(strapi, 'passkeys');
  const audit = () => getService(strapi, 'audit');
  const notifications = () => getService(strapi, 'notifications');
  const factorQuery = () => strapi.db.query(UID.factor);

  const assertOpen = async () => {
    if (!(await passkeys().usable())) throw twoFactorError('METHOD_UNAVAILABLE', 'Passkeys are not enabled on this site');
  };

  return {
    /**
     * `POST /passkeys/options`: creation options for a signed-in user or a setup-required login.
     * When the account already has a factor, `proof` must prove it now (a current code, or a
     * fresh session), exactly as `enable` asks: a JWT alone never adds a factor.
     */
    async options(caller: Caller, proof: StepUpProof, meta?: RequestMeta) {
      await assertOpen();
      const { user } = caller;
      if ((await passkeys().count(user.id)) >= PASSKEY_LIMIT) throw tooMany();
      const steppedUp = Boolean(await getService(strapi, 'stepUp').require(user.id, proof, meta));
      const options = await passkeys().registrationOptions(user, steppedUp);
      await audit().record('enrolment.started', { userId: user.id, method: PASSKEY, meta });
      return options;
    },

    /**
     * `POST /passkeys`: verifies the registration response and stores the passkey. The first
     * factor of an account also gets backup codes and ends the user's other sessions, as a first
     * confirmed TOTP does; a setup-required login is completed by it (single use, consumed in the
     * same transaction) and gets its tokens.
     */
    async add(
      caller: Caller,
      input: { response: unknown; name?: string; proof: StepUpProof; meta?: RequestMeta; request: TokenRequest }
    ): Promise<{ passkey: AddedPasskey; issued?: IssuedLogin }> {
      await assertOpen();
      const { user } = caller;
      const setup = caller.setupToken ? await getService(strapi, 'login').resolve(caller.setupToken, ['setup']) : null;
      const credential = await passkeys().verifyRegistration(user.id, input.response);
      // Options asked before the account had a factor: the step-up may come with this request.
      let steppedUp = credential.steppedUp;
      if (!steppedUp && !setup && (await getService(strapi, 'stepUp').needed(user.id))) {
        steppedUp = Boolean(await getService(strapi, 'stepUp').require(user.id, input.proof, input.meta));
      }
      let firstFactor = false;
      let created: any = null;
      // Inside the account's attempt, as a TOTP confirm: adds of one account run one after another.
      await getService(strapi, 'attempts').run({
        userId: user.id,
        meta: input.meta,
        method: PASSKEY,
        check: async () => PASSKEY,
        onSuccess: async () => {
          firstFactor = !(await getService(strapi, 'stepUp').needed(user.id));
          if (!firstFactor && !steppedUp) throw stepUpRequired(RESTART_WITH_STEP_UP);
          if ((await passkeys().count(user.id)) >= PASSKEY_LIMIT) throw tooMany();
          if (await passkeys().registered(credential.credentialId)) {
            throw twoFactorError('PASSKEY_INVALID', 'This passkey is registered already');
          }
          if (setup) await getService(strapi, 'login').consume(setup.challenge);
          created = await passkeys().create(user.id, credential, input.name);
          const factor = await factorQuery().findOne({ where: { userId: user.id, method: PASSKEY, confirmedAt: { $notNull: true } }, select: ['id'] });
          if (!factor) await factorQuery().create({ data: { userId: user.id, method: PASSKEY, confirmedAt: new Date(), expiresAt: null } });
        },
      });
      if (firstFactor) await getService(strapi, 'tokens').endOtherSessions(user.id, caller.sessionId);
      const hadCodes = (await getService(strapi, 'backupCodes').remaining(user.id)) > 0;
      const backupCodes = hadCodes ? undefined : await getService(strapi, 'backupCodes').regenerate(user.id);
      const count = await passkeys().count(user.id);
      await audit().record('passkey.added', { userId: user.id, method: PASSKEY, meta: input.meta, details: { passkeyId: created.id } });
      if (count === 1) await audit().record('method.added', { userId: user.id, method: PASSKEY, meta: input.meta });
      if (firstFactor) await audit().record('enabled', { userId: user.id, method: PASSKEY, meta: input.meta });
      // One mail: a first factor turns 2FA on, a first passkey adds a method, a later one adds a passkey.
      const notice = firstFactor ? 'enabled' : count === 1 ? 'method.added' : 'passkey.added';
      await notifications().notify(notice, { userId: user.id, method: PASSKEY, meta: input.meta });
      const passkey: AddedPasskey = {
        ...passkeys().view(created),
        enabled: true,
        methods: await getService(strapi, 'verification').confirmedMethods(user.id),
        ...(backupCodes ? { backupCodes } : {}),
      };
      const issued = setup ? await getService(strapi, 'tokens').issue(user, input.request, { afterSecondFactor: true }) : undefined;
      return { passkey, issued };
    },

    async rename(userId: number, id: unknown, name: string, meta?: RequestMeta): Promise<PasskeyView> {
      const row = await passkeys().find(userId, id);
      if (!row) throw twoFactorError('PASSKEY_NOT_FOUND');
      const updated = await strapi.db.query(UID.passkey).update({ where: { id: row.id }, data: { name: name.trim() } });
      await audit().record('passkey.renamed', { userId, method: PASSKEY, meta, details: { passkeyId: row.id } });
      return passkeys().view(updated);
    },

    /**
     * Removes one passkey after a step-up (a current code or a fresh session), as removing a
     * method does. Its last passkey removes the method; with no confirmed factor left, everything
     * 2FA of the account goes, as `disable` does. Remembered devices end with any removed factor.
     */
    async remove(user: { id: number }, id: unknown, proof: StepUpProof, meta?: RequestMeta) {
      const row = await passkeys().find(user.id, id);
      if (!row) throw twoFactorError('PASSKEY_NOT_FOUND');
      await getService(strapi, 'stepUp').require(user.id, proof, meta);
      let left = 0;
      await strapi.db.transaction(async () => {
        const { count } = await strapi.db.query(UID.passkey).deleteMany({ where: { id: row.id, userId: user.id } });
        if (count !== 1) throw twoFactorError('PASSKEY_NOT_FOUND');
        left = await passkeys().count(user.id);
        if (!left) await factorQuery().deleteMany({ where: { userId: user.id, method: PASSKEY } });
        await getService(strapi, 'devices').removeAll(user.id);
        if (!(await getService(strapi, 'verification').hasConfirmed(user.id))) await getService(strapi, 'factors').removeEverything(user.id);
      });
      const status = await getService(strapi, 'factors').status(user.id);
      await audit().record('passkey.removed', { userId: user.id, method: PASSKEY, meta, details: { passkeyId: row.id } });
      const event = !status.enabled ? 'disabled' : left === 0 ? 'method.removed' : 'passkey.removed';
      if (event !== 'passkey.removed') await audit().record(event, { userId: user.id, method: PASSKEY, meta });
      await notifications().notify(event, { userId: user.id, method: PASSKEY, meta });
      return { enabled: status.enabled, methods: status.methods };
    },
  };
};
