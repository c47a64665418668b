import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { decryptSecret, encryptSecret, generateTotpSecret, isE164, otpauthUri, qrPngDataUri, qrSvgDataUri } from '../core';
import { UID, getService, PLUGIN_ID } from '../utils/plugin';
import type { RequestMeta } from '../utils/request-meta';
import type { Method } from './settings';
import type { FactorMethod } from './verification';
import type { PluginConfig } from '../config';
import { stepUpRequired, type StepUpProof } from './step-up';

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

const METHOD_LABEL: Record<Method, string> = { totp: 'Authenticator app', email: 'Email', sms: 'SMS' };

/** A user's factors: enrolment (pending → confirmed), status, removal (docs/security.md T2, T6, T7, L1, L2). */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const config = () => strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;
  const audit = () => getService(strapi, 'audit');
  const notifications = () => getService(strapi, 'notifications');
  const factorQuery = () => strapi.db.query(UID.factor);

  const assertOpen = async (method: Method) => {
    if (method === 'sms' && !getService(strapi, 'settings').smsAvailable()) {
      throw new errors.ValidationError('SMS module required: no SMS provider is configured on this site');
    }
    if (!(await getService(strapi, 'settings').methodOpen(method))) {
      throw new errors.ValidationError(`${METHOD_LABEL[method]} two-factor is not enabled on this site`);
    }
  };

  /** What the user scans or types: one shape for a new and a resumed enrolment. */
  const enrolmentView = async (user: UserRef, secret: string): Promise<TotpEnrolment> => {
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
      await factorQuery().deleteMany({ where: { userId, method, confirmedAt: null } });
      await factorQuery().create({
        data: { userId, method, confirmedAt: null, expiresAt: new Date(Date.now() + config().enrolmentTtl * 1000), ...data },
      });
    });

  return {
    async confirmedMethods(userId: number): Promise<Method[]> {
      const rows = await factorQuery().findMany({
        where: { userId, confirmedAt: { $notNull: true } },
        select: ['method'],
        orderBy: { id: 'asc' },
      });
      return [...new Set(rows.map((row: any) => row.method as Method))];
    },

    async hasConfirmed(userId: number): Promise<boolean> {
      return (await factorQuery().count({ where: { userId, confirmedAt: { $notNull: true } } })) > 0;
    },

    async status(userId: number) {
      const methods = await this.confirmedMethods(userId);
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
      if (input.method === 'totp') return this.beginTotp(user, input.proof ?? {}, meta);
      return this.beginCode(user, input.method, input.phone, input.proof ?? {}, meta);
    },

    /**
     * Starts (or restarts) an email or SMS enrolment: a code goes to the confirmed email address
     * (O7) or to the E.164 number, which counts only once that code comes back (O6). The pending
     * factor is written only after the code went out: a failed delivery leaves nothing behind.
     */
    async beginCode(user: UserRef, method: 'email' | 'sms', phone: string | undefined, proof: StepUpProof, meta?: RequestMeta) {
      await assertOpen(method);
      if (await factorQuery().count({ where: { userId: user.id, method, confirmedAt: { $notNull: true } } })) {
        throw new errors.ValidationError(
          `${METHOD_LABEL[method]} two-factor is already enabled; disable it before enrolling another ${method === 'sms' ? 'number' : 'address'}`
        );
      }
      let destination: string;
      if (method === 'email') {
        const account = await strapi.db.query(UID.user).findOne({ where: { id: user.id }, select: ['email', 'confirmed'] });
        if (!account?.email || account.confirmed !== true) throw new errors.ValidationError('Not verified');
        destination = account.email;
      } else {
        if (!isE164(phone)) throw new errors.ValidationError('phone must be an E.164 number, for example +14155551234');
        destination = phone;
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

    /** Starts (or restarts) an authenticator-app enrolment with a fresh secret (T2, T7). */
    async beginTotp(user: UserRef, proof: StepUpProof, meta?: RequestMeta): Promise<TotpEnrolment> {
      await assertOpen('totp');
      if (await factorQuery().count({ where: { userId: user.id, method: 'totp', confirmedAt: { $notNull: true } } })) {
        throw new errors.ValidationError('An authenticator app is already enabled; disable it before enrolling another');
      }
      const stepUpAt = await proven(user, proof, meta);
      const secret = generateTotpSecret();
      const view = await enrolmentView(user, secret);
      await replacePending(user.id, 'totp', {
        secret: encryptSecret(secret, getService(strapi, 'keys').get().secrets),
        stepUpAt,
      });
      await audit().record('enrolment.started', { userId: user.id, method: 'totp', meta });
      return view;
    },

    /** The pending TOTP enrolment's QR image and secret, without making a new one (Craft dialect). */
    async pendingTotp(user: UserRef): Promise<TotpEnrolment | null> {
      const factor = await pendingFactor(user.id, 'totp');
      if (!factor) return null;
      return enrolmentView(user, decryptSecret(factor.secret, getService(strapi, 'keys').get().secrets));
    },

    /**
     * The pending TOTP enrolment if there is one, else a new one (Craft dialect: QR and secret are
     * two calls). An account that already has a factor proves it first: a pending secret is
     * shown again only to whoever could start it.
     */
    async currentTotpEnrolment(user: UserRef, proof: StepUpProof, meta?: RequestMeta): Promise<TotpEnrolment> {
      if (await getService(strapi, 'stepUp').needed(user.id)) return this.beginTotp(user, proof, meta);
      return (await this.pendingTotp(user)) ?? this.beginTotp(user, proof, meta);
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
      const verification = getService(strapi, 'verification');
      const factor = await pendingFactor(user.id, method);
      if (!factor) {
        throw new errors.ValidationError(`No pending ${METHOD_LABEL[method]} enrolment; start one with enable`);
      }
      let firstFactor = false;
      const check = async () => {
        if (method === 'totp') return (await verification.matchTotp(factor, code)) ? method : null;
        const destination = method === 'sms' ? factor.phone : (await strapi.db.query(UID.user).findOne({ where: { id: user.id }, select: ['email'] }))?.email;
        if (!destination) return null;
        return (await getService(strapi, 'otp').checkEnrolment(user.id, method, destination, code)) ? method : null;
      };
      await verification.attempt(user.id, meta, method, check, async () => {
        firstFactor = !(await getService(strapi, 'stepUp').needed(user.id));
        if (!firstFactor && !factor.stepUpAt) throw stepUpRequired(RESTART_WITH_STEP_UP);
        if (options.completes) await options.completes();
        const { count } = await factorQuery().updateMany({
          where: { id: factor.id, confirmedAt: null },
          data: { confirmedAt: new Date(), expiresAt: null },
        });
        if (count !== 1) throw new errors.ValidationError(`No pending ${METHOD_LABEL[method]} enrolment; start one with enable`);
        // One confirmed factor per method: a re-enrolled method replaces the old one.
        await factorQuery().deleteMany({ where: { userId: user.id, method, id: { $ne: factor.id } } });
      });
      if (firstFactor) await getService(strapi, 'tokens').endOtherSessions(user.id, options.keepSession);
      const hadCodes = (await getService(strapi, 'backupCodes').remaining(user.id)) > 0;
      const backupCodes = hadCodes ? undefined : await getService(strapi, 'backupCodes').regenerate(user.id);
      await audit().record('method.added', { userId: user.id, method, meta });
      if (firstFactor) await audit().record('enabled', { userId: user.id, method, meta });
      // One mail: a first factor turns 2FA on, a later one adds a method.
      await notifications().notify(firstFactor ? 'enabled' : 'method.added', { userId: user.id, method, meta });
      return { enabled: true, methods: await this.confirmedMethods(user.id), ...(backupCodes ? { backupCodes } : {}) };
    },

    /**
     * Removes one method or all of them after a current second factor (L1). With no confirmed
     * factor left, secrets, pending codes and backup codes all go (L2).
     */
    async disable(user: UserRef, code: unknown, method: Method | undefined, meta?: RequestMeta) {
      if (!(await this.hasConfirmed(user.id))) {
        throw new errors.ValidationError('Two-factor authentication is not enabled');
      }
      if (method && !(await this.confirmedMethods(user.id)).includes(method)) {
        throw new errors.ValidationError(`${METHOD_LABEL[method]} two-factor is not enabled for this account`);
      }
      await getService(strapi, 'verification').verify({ userId: user.id, code, meta });
      await strapi.db.transaction(async () => {
        await factorQuery().deleteMany({ where: method ? { userId: user.id, method } : { userId: user.id } });
        if (!(await this.hasConfirmed(user.id))) await this.removeEverything(user.id);
      });
      const status = await this.status(user.id);
      const event = status.enabled ? 'method.removed' : 'disabled';
      await audit().record(event, { userId: user.id, method: method ?? null, meta });
      await notifications().notify(event, { userId: user.id, method: method ?? null, meta });
      return { enabled: status.enabled, methods: status.methods };
    },

    /** Regenerates backup codes after a current second factor (B4). */
    async regenerateBackupCodes(user: UserRef, code: unknown, meta?: RequestMeta): Promise<string[]> {
      if (!(await this.hasConfirmed(user.id))) {
        throw new errors.ValidationError('Two-factor authentication is not enabled');
      }
      await getService(strapi, 'verification').verify({ userId: user.id, code, meta });
      const codes = await getService(strapi, 'backupCodes').regenerate(user.id);
      await audit().record('backup_codes.regenerated', { userId: user.id, meta, details: { count: codes.length } });
      await notifications().notify('backup_codes.regenerated', { userId: user.id, meta });
      return codes;
    },

    /** Everything 2FA of a user: factors, codes, challenges (and so pending logins, J5); with `throttle`, the counter too. */
    async removeEverything(userId: number, options: { throttle?: boolean } = {}) {
      await factorQuery().deleteMany({ where: { userId } });
      await getService(strapi, 'backupCodes').removeAll(userId);
      await strapi.db.query(UID.challenge).deleteMany({ where: { userId } });
      if (options.throttle) await getService(strapi, 'throttle').clear(userId);
    },
  };
};

export type { FactorMethod };
