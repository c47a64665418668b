import type { Core } from '@strapi/strapi';
import { decryptSecret, encryptSecret, generateTotpSecret, isE164, otpauthUri, qrPngDataUri, qrSvgDataUri } from '../core';
import { UID, getService, PLUGIN_ID } from '../utils/plugin';
import type { RequestMeta } from '../utils/request-meta';
import { METHOD_LABELS, PASSKEY, type CodeMethod, type Method } from '../vocabulary';
import type { PluginConfig } from '../config';
import { stepUpRequired, type StepUpProof } from './step-up';
import { twoFactorError } from '../utils/errors';

/** An enrolment begun before the account had a factor cannot finish as its second one. */
const RESTART_WITH_STEP_UP =
  'The account has a two-factor method now: start this enrolment again, giving a current two-factor code as `code`';

export interface UserRef {
  id: number;
  email?: string | null;
  username?: string | null;
}

export interface TotpEnrolment {
  secret: string;
  otpauthUrl: string;
  qrCode: string;
  qrCodeSvg: string;
}

export interface Confirmation {
  enabled: true;
  methods: Method[];
  backupCodes?: string[];
}

/** User attributes that hold a phone number, in the order they are looked for. */
const PHONE_ATTRIBUTES = ['phone', 'phoneNumber'];

/** Passkeys have their own ceremony: enable and confirm take codes. */
const passkeyCeremony = () =>
  twoFactorError(
    'INVALID_INPUT',
    'Passkeys are added with POST /api/two-factor/passkeys/options, then POST /api/two-factor/passkeys (docs/rest-api.md, Passkeys)'
  );

const noPendingEnrolment = (method: Method) =>
  twoFactorError('NO_PENDING_ENROLMENT', `No pending ${METHOD_LABELS[method]} enrolment; start one with enable`);

/**
 * A user's factors: enrolment (pending until a valid code confirms it, each with a fresh secret
 * sealed at rest), status, removal after a current second factor.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const config = () => strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;
  const audit = () => getService(strapi, 'audit');
  const notifications = () => getService(strapi, 'notifications');
  const factorQuery = () => strapi.db.query(UID.factor);

  const assertOpen = async (method: Method) => {
    if (method === 'sms' && !getService(strapi, 'settings').smsAvailable()) {
      throw twoFactorError('METHOD_UNAVAILABLE', 'SMS module required: no SMS provider is configured on this site');
    }
    if (!(await getService(strapi, 'settings').methodOpen(method))) {
      throw twoFactorError('METHOD_UNAVAILABLE', `${METHOD_LABELS[method]} two-factor is not enabled on this site`);
    }
  };

  /** What the user scans or types: one shape for a new and a resumed enrolment. */
  const totpView = async (user: UserRef, secret: string): Promise<TotpEnrolment> => {
    const { issuer } = await getService(strapi, 'settings').get();
    const otpauthUrl = otpauthUri({ issuer, account: user.email || user.username || String(user.id), secret });
    const [qrCode, qrCodeSvg] = await Promise.all([qrPngDataUri(otpauthUrl), qrSvgDataUri(otpauthUrl)]);
    return { secret, otpauthUrl, qrCode, qrCodeSvg };
  };

  const pendingFactor = (userId: number, method: Method) =>
    factorQuery().findOne({
      where: { userId, method, confirmedAt: null, expiresAt: { $gt: new Date() } },
      orderBy: { id: 'desc' },
    });

  /** The step-up an enrolment needs when the account already has a factor; its time, if one was given. */
  const proven = async (user: UserRef, proof: StepUpProof, meta?: RequestMeta): Promise<Date | null> =>
    (await getService(strapi, 'stepUp').require(user.id, proof, meta)) ? new Date() : null;

  /** The one pending enrolment of a method: a new one replaces the last. */
  const replacePending = (userId: number, method: Method, data: Record<string, unknown>) =>
    strapi.db.transaction(async () => {
      // Delete by id what a plain read found: a DELETE that matches no row would take a gap lock
      // on MariaDB/MySQL, and two users enrolling at once would deadlock on their inserts.
      const stale = await factorQuery().findMany({ where: { userId, method, confirmedAt: null }, select: ['id'] });
      if (stale.length) await factorQuery().deleteMany({ where: { id: { $in: stale.map((row: { id: number }) => row.id) } } });
      await factorQuery().create({
        data: { userId, method, confirmedAt: null, expiresAt: new Date(Date.now() + config().enrolmentTtl * 1000), ...data },
      });
    });

  const verification = () => getService(strapi, 'verification');

  /**
   * The number on the user record, where the host app gave users a phone attribute: an SMS
   * enrolment without `phone` uses it (still proven by the texted code).
   */
  const accountPhone = async (userId: number): Promise<string | undefined> => {
    const attributes = strapi.getModel(UID.user).attributes as Record<string, { type?: string }>;
    const field = PHONE_ATTRIBUTES.find((name) => ['string', 'text'].includes(attributes[name]?.type ?? ''));
    if (!field) return undefined;
    const account = await strapi.db.query(UID.user).findOne({ where: { id: userId }, select: [field] });
    const value = account?.[field];
    return typeof value === 'string' && value.trim() ? value.trim() : undefined;
  };

  return {
    totpView,

    async status(userId: number) {
      const methods = await verification().confirmedMethods(userId);
      return {
        enabled: methods.length > 0,
        methods,
        backupCodesRemaining: await getService(strapi, 'backupCodes').remaining(userId),
      };
    },

    /**
     * Starts an enrolment of the given method: a QR code to scan, or a code sent to confirm.
     * When the account already has a factor, `proof` must be a current code of it (step-up):
     * a JWT alone never adds a factor.
     */
    async enable(
      user: UserRef,
      input: { method: Method; phone?: string; proof?: StepUpProof },
      meta?: RequestMeta
    ): Promise<TotpEnrolment | { message: string }> {
      if (input.method === PASSKEY) throw passkeyCeremony();
      if (input.method === 'totp') return this.beginTotp(user, input.proof ?? {}, meta);
      return this.beginCode(user, input.method, input.phone, input.proof ?? {}, meta);
    },

    /**
     * Starts (or restarts) an email or SMS enrolment: a code goes to the confirmed email address
     * or to the E.164 number, which counts only once that code comes back. The pending
     * factor is written only after the code went out: a failed delivery leaves nothing behind.
     */
    async beginCode(user: UserRef, method: CodeMethod, phone: string | undefined, proof: StepUpProof, meta?: RequestMeta) {
      await assertOpen(method);
      if (await factorQuery().count({ where: { userId: user.id, method, confirmedAt: { $notNull: true } } })) {
        throw twoFactorError(
          'ALREADY_ENABLED',
          `${METHOD_LABELS[method]} two-factor is already enabled; disable it before enrolling another ${method === 'sms' ? 'number' : 'address'}`
        );
      }
      let destination: string;
      if (method === 'email') {
        const account = await strapi.db.query(UID.user).findOne({ where: { id: user.id }, select: ['email', 'confirmed'] });
        if (!account?.email || account.confirmed !== true) throw twoFactorError('EMAIL_NOT_VERIFIED');
        destination = account.email;
      } else {
        const number = phone ?? (await accountPhone(user.id));
        if (number === undefined) throw twoFactorError('PHONE_REQUIRED');
        if (!isE164(number)) throw twoFactorError('INVALID_PHONE');
        destination = number;
      }
      const stepUpAt = await proven(user, proof, meta);
      const sent = await getService(strapi, 'otp').sendEnrolment({ userId: user.id, method, destination, meta });
      await replacePending(user.id, method, {
        phone: method === 'sms' ? destination : null,
        stepUpAt,
      });
      await audit().record('enrolment.started', { userId: user.id, method, meta });
      return sent;
    },

    /** Starts (or restarts) an authenticator-app enrolment with a fresh secret. */
    async beginTotp(user: UserRef, proof: StepUpProof, meta?: RequestMeta): Promise<TotpEnrolment> {
      await assertOpen('totp');
      if (await factorQuery().count({ where: { userId: user.id, method: 'totp', confirmedAt: { $notNull: true } } })) {
        throw twoFactorError('ALREADY_ENABLED', 'An authenticator app is already enabled; disable it before enrolling another');
      }
      const stepUpAt = await proven(user, proof, meta);
      const secret = generateTotpSecret();
      const view = await totpView(user, secret);
      await replacePending(user.id, 'totp', {
        secret: encryptSecret(secret, getService(strapi, 'keys').get().secrets),
        stepUpAt,
      });
      await audit().record('enrolment.started', { userId: user.id, method: 'totp', meta });
      return view;
    },

    /** The secret of the user's pending TOTP enrolment, or null when none is pending. */
    async pendingTotpSecret(userId: number): Promise<string | null> {
      const factor = await pendingFactor(userId, 'totp');
      return factor ? decryptSecret(factor.secret, getService(strapi, 'keys').get().secrets) : null;
    },

    /**
     * Confirms a pending enrolment with a valid code; the first factor also gets backup codes and
     * ends the user's other sessions (refresh mode; `keepSession` is the caller's own).
     *
     * The decisive part runs inside the attempt's transaction, after the account's throttle row
     * is taken, so confirms of one account run one after another on every database: an enrolment
     * started without a step-up never becomes a second factor, and `completes` (the
     * setup-required login this confirm finishes) is consumed by exactly one of them.
     */
    async confirm(
      user: UserRef,
      method: Method,
      code: unknown,
      meta?: RequestMeta,
      options: { completes?: () => Promise<void>; keepSession?: string } = {}
    ): Promise<Confirmation> {
      if (method === PASSKEY) throw passkeyCeremony();
      const factor = await pendingFactor(user.id, method);
      if (!factor) {
        throw noPendingEnrolment(method);
      }
      let firstFactor = false;
      const check = async () => {
        if (method === 'totp') return (await verification().matchTotp(factor, code)) ? method : null;
        const destination = method === 'sms' ? factor.phone : (await strapi.db.query(UID.user).findOne({ where: { id: user.id }, select: ['email'] }))?.email;
        if (!destination) return null;
        return (await getService(strapi, 'otp').checkEnrolment(user.id, method, destination, code)) ? method : null;
      };
      const onSuccess = async () => {
        firstFactor = !(await getService(strapi, 'stepUp').needed(user.id));
        if (!firstFactor && !factor.stepUpAt) throw stepUpRequired(RESTART_WITH_STEP_UP);
        if (options.completes) await options.completes();
        const { count } = await factorQuery().updateMany({
          where: { id: factor.id, confirmedAt: null },
          data: { confirmedAt: new Date(), expiresAt: null },
        });
        if (count !== 1) throw noPendingEnrolment(method);
        // One confirmed factor per method: a re-enrolled method replaces the old one.
        await factorQuery().deleteMany({ where: { userId: user.id, method, id: { $ne: factor.id } } });
      };
      await getService(strapi, 'attempts').run({ userId: user.id, meta, method, check, onSuccess });
      if (firstFactor) await getService(strapi, 'tokens').endOtherSessions(user.id, options.keepSession);
      const hadCodes = (await getService(strapi, 'backupCodes').remaining(user.id)) > 0;
      const backupCodes = hadCodes ? undefined : await getService(strapi, 'backupCodes').regenerate(user.id);
      await audit().record('method.added', { userId: user.id, method, meta });
      if (firstFactor) await audit().record('enabled', { userId: user.id, method, meta });
      // One mail: a first factor turns 2FA on, a later one adds a method.
      await notifications().notify(firstFactor ? 'enabled' : 'method.added', { userId: user.id, method, meta });
      return { enabled: true, methods: await verification().confirmedMethods(user.id), ...(backupCodes ? { backupCodes } : {}) };
    },

    /**
     * Removes one method or all of them after a step-up (a current code or a fresh session). With no confirmed
     * factor left, secrets, pending codes and backup codes all go.
     */
    async disable(user: UserRef, proof: StepUpProof, method: Method | undefined, meta?: RequestMeta) {
      if (!(await verification().hasConfirmed(user.id))) {
        throw twoFactorError('NOT_ENABLED');
      }
      if (method && !(await verification().confirmedMethods(user.id)).includes(method)) {
        throw twoFactorError('METHOD_NOT_ENABLED', `${METHOD_LABELS[method]} two-factor is not enabled for this account`);
      }
      await getService(strapi, 'stepUp').require(user.id, proof, meta);
      await strapi.db.transaction(async () => {
        await factorQuery().deleteMany({ where: method ? { userId: user.id, method } : { userId: user.id } });
        if (!method || method === PASSKEY) await getService(strapi, 'passkeys').removeAll(user.id);
        // A removed factor ends every remembered device: trust was given by the factors the account had.
        await getService(strapi, 'devices').removeAll(user.id);
        if (!(await verification().hasConfirmed(user.id))) await this.removeEverything(user.id);
      });
      const status = await this.status(user.id);
      const event = status.enabled ? 'method.removed' : 'disabled';
      await audit().record(event, { userId: user.id, method: method ?? null, meta });
      await notifications().notify(event, { userId: user.id, method: method ?? null, meta });
      return { enabled: status.enabled, methods: status.methods };
    },

    /** Replaces the backup codes after a step-up (a current code or a fresh session); the new ones are shown once. */
    async regenerateBackupCodes(user: UserRef, proof: StepUpProof, meta?: RequestMeta): Promise<string[]> {
      if (!(await verification().hasConfirmed(user.id))) {
        throw twoFactorError('NOT_ENABLED');
      }
      await getService(strapi, 'stepUp').require(user.id, proof, meta);
      const codes = await getService(strapi, 'backupCodes').regenerate(user.id);
      await audit().record('backup_codes.regenerated', { userId: user.id, meta, details: { count: codes.length } });
      await notifications().notify('backup_codes.regenerated', { userId: user.id, meta });
      return codes;
    },

    /**
     * Everything 2FA of a user: factors, codes, challenges (and so pending logins), remembered
     * devices; with `throttle`, the counter too.
     */
    async removeEverything(userId: number, options: { throttle?: boolean } = {}) {
      await factorQuery().deleteMany({ where: { userId } });
      await getService(strapi, 'passkeys').removeAll(userId);
      await getService(strapi, 'devices').removeAll(userId);
      await getService(strapi, 'backupCodes').removeAll(userId);
      await strapi.db.query(UID.challenge).deleteMany({ where: { userId } });
      if (options.throttle) await getService(strapi, 'throttle').clear(userId);
    },
  };
};

