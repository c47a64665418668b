import { createHmac } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { passkeysConfigured, type PluginConfig } from '../config';
import { PLUGIN_ID, UID, getService } from '../utils/plugin';
import { twoFactorError } from '../utils/errors';
import type { RequestMeta } from '../utils/request-meta';
import { PASSKEY } from '../vocabulary';

/** Passkeys one account may hold. */
export const PASSKEY_LIMIT = 10;
/** Seconds a WebAuthn challenge stays usable (and what the browser is told as `timeout`). */
export const PASSKEY_CHALLENGE_TTL = 300;

/**
 * What a stored challenge is for: a registration of the user's, the second factor of one pending
 * login, or a passwordless sign-in (bound to no one until the assertion names its credential).
 */
export type PasskeyPurpose = 'passkey-register' | 'passkey-login' | 'passkey-passwordless';

/** A passkey as its owner sees it (never its public key). */
export interface PasskeyView {
  id: number;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  transports: string[];
  backedUp: boolean;
  deviceType: string | null;
}

/** A verified registration: the credential to store, and whether its options were stepped up. */
export interface RegisteredCredential {
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  backedUp: boolean;
  deviceType: string;
  steppedUp: boolean;
}

/** What an assertion showed before anything was written: its passkey, the challenge it signed, the verified counter. */
export interface PreparedAssertion {
  passkey: any | null;
  challengeId: number | null;
  verified: { newCounter: number; backedUp: boolean } | null;
}

/** An assertion's outcome: the passkey it proved, or why it did not (a counter that went back is audited). */
export type AssertionOutcome = { ok: true; passkey: any } | { ok: false; reason: 'invalid' | 'counter' };

type WebAuthnLibrary = typeof import('@simplewebauthn/server');
let loaded: Promise<WebAuthnLibrary> | undefined;
/**
 * @simplewebauthn/server, loaded at the first ceremony rather than at start: with its ASN.1 and
 * X.509 dependencies it costs about 100 ms, which every start would pay for a method that is off
 * by default.
 */
const webauthn = (): Promise<WebAuthnLibrary> => (loaded ??= import('@simplewebauthn/server'));

const toIso = (value: unknown): string | null => (value ? new Date(value as string).toISOString() : null);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The WebAuthn ceremonies, through @simplewebauthn/server: options, verification, the stored
 * credentials and their challenges. The relying party (RP ID, origins) comes from the plugin
 * config only, never from a request. Every challenge is a row of the challenge table, kept as a
 * keyed hash bound to its purpose and to its user or pending login, single use (one guarded
 * UPDATE consumes it, inside the ceremony's check, before the signature is looked at) and
 * short lived. Decisions about accounts (step-up, first factor, sign-in) are the callers'.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const config = () => strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;
  const rows = () => strapi.db.query(UID.passkey);
  const challenges = () => strapi.db.query(UID.challenge);

  const relyingParty = async () => {
    const { passkeys } = config();
    if (!passkeysConfigured(passkeys)) throw twoFactorError('METHOD_UNAVAILABLE', 'Passkeys are not configured on this site');
    const { issuer } = await getService(strapi, 'settings').get();
    return { rpID: passkeys.rpId, rpName: passkeys.rpName || issuer, origins: passkeys.origins };
  };

  const nonceOf = (purpose: PasskeyPurpose, binding: string, challenge: string) =>
    createHmac('sha256', getService(strapi, 'keys').get().codeHmac).update(`${purpose}:${binding}:${challenge}`).digest('hex');

  const store = async (purpose: PasskeyPurpose, userId: number, binding: string, challenge: string, steppedUp = false) => {
    const now = Date.now();
    // Outside any transaction, by a plain condition on this user's own expired rows (see login.start).
    await challenges().deleteMany({ where: { userId, purpose, expiresAt: { $lt: now } } });
    await challenges().create({
      data: {
        nonce: nonceOf(purpose, binding, challenge),
        purpose,
        userId,
        expiresAt: now + PASSKEY_CHALLENGE_TTL * 1000,
        verifiedAt: steppedUp ? now : null,
        attempts: 0,
        sendCount: 0,
      },
    });
  };

  /** The unused, unexpired challenge row of `challenge`, or null. */
  const live = async (purpose: PasskeyPurpose, binding: string, challenge: unknown): Promise<any | null> => {
    if (typeof challenge !== 'string' || !challenge || challenge.length > 512) return null;
    const row = await challenges().findOne({ where: { nonce: nonceOf(purpose, binding, challenge), purpose } });
    return row && row.consumedAt === null && Number(row.expiresAt) > Date.now() ? row : null;
  };

  /** Takes the challenge: of parallel ceremonies with one challenge exactly one gets its row. */
  const consume = async (purpose: PasskeyPurpose, binding: string, challenge: unknown): Promise<any | null> => {
    if (typeof challenge !== 'string' || !challenge || challenge.length > 512) return null;
    const row = await challenges().findOne({ where: { nonce: nonceOf(purpose, binding, challenge), purpose } });
    if (!row) return null;
    const now = Date.now();
    const { count } = await challenges().updateMany({
      where: { id: row.id, consumedAt: null, expiresAt: { $gt: now } },
      data: { consumedAt: now },
    });
    return count === 1 ? row : null;
  };

  const descriptors = async (userId: number) =>
    (await rows().findMany({ where: { userId }, select: ['credentialId', 'transports'], orderBy: { id: 'asc' } })).map(
      (row: { credentialId: string; transports: unknown }) => ({
        id: row.credentialId,
        transports: Array.isArray(row.transports) ? (row.transports as any[]) : undefined,
      })
    );

  return {
    /** Whether passkeys may be used now: configured, switched on, 2FA on. */
    async usable(): Promise<boolean> {
      return passkeysConfigured(config().passkeys) && (await getService(strapi, 'settings').methodOpen(PASSKEY));
    },

    count(userId: number): Promise<number> {
      return rows().count({ where: { userId } });
    },

    view(row: any): PasskeyView {
      return {
        id: row.id,
        name: row.name ?? '',
        createdAt: toIso(row.createdAt) as string,
        lastUsedAt: toIso(row.lastUsedAt),
        transports: Array.isArray(row.transports) ? row.transports : [],
        backedUp: row.backedUp === true || row.backedUp === 1,
        deviceType: row.deviceType ?? null,
      };
    },

    async list(userId: number): Promise<PasskeyView[]> {
      return (await rows().findMany({ where: { userId }, orderBy: { id: 'asc' } })).map((row: any) => this.view(row));
    },

    /** The user's passkey `id`, or null (another user's id answers the same). */
    async find(userId: number, id: unknown): Promise<any | null> {
      const number = typeof id === 'number' ? id : typeof id === 'string' && /^\d{1,12}$/.test(id) ? Number(id) : NaN;
      if (!Number.isSafeInteger(number)) return null;
      return rows().findOne({ where: { id: number, userId } });
    },

    removeAll(userId: number) {
      return rows().deleteMany({ where: { userId } });
    },

    /** Creation options for a new passkey of the user; `steppedUp`: the step-up was given now. */
    async registrationOptions(user: { id: number; email?: string | null; username?: string | null }, steppedUp: boolean): Promise<PublicKeyCredentialCreationOptionsJSON> {
      const { rpID, rpName } = await relyingParty();
      // A stable, opaque user handle: no id or address of the account leaves the server.
      const userID = createHmac('sha256', getService(strapi, 'keys').get().codeHmac).update(`passkey-user:${user.id}`).digest().subarray(0, 32);
      const { generateRegistrationOptions } = await webauthn();
      const options = await generateRegistrationOptions({
        rpName,
        rpID,
        userName: user.email || user.username || String(user.id),
        userDisplayName: user.username || user.email || '',
        userID: new Uint8Array(userID),
        timeout: PASSKEY_CHALLENGE_TTL * 1000,
        attestationType: 'none',
        excludeCredentials: await descriptors(user.id),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      });
      await store('passkey-register', user.id, `user:${user.id}`, options.challenge, steppedUp);
      return options;
    },

    /**
     * Verifies a registration response against one of the user's live registration challenges
     * (consumed whatever the outcome), or PASSKEY_INVALID.
     */
    async verifyRegistration(userId: number, response: unknown): Promise<RegisteredCredential> {
      const { rpID, origins } = await relyingParty();
      let challenge: any = null;
      let info;
      try {
        if (!isObject(response)) throw new Error('not an object');
        const { verifyRegistrationResponse } = await webauthn();
        const verified = await verifyRegistrationResponse({
          response: response as unknown as RegistrationResponseJSON,
          expectedChallenge: async (value: string) => Boolean((challenge = await consume('passkey-register', `user:${userId}`, value))),
          expectedOrigin: origins,
          expectedRPID: rpID,
          requireUserVerification: false,
        });
        if (!verified.verified) throw new Error('not verified');
        info = verified.registrationInfo;
      } catch {
        throw twoFactorError('PASSKEY_INVALID');
      }
      const transports = Array.isArray(info.credential.transports) ? info.credential.transports.filter((t) => typeof t === 'string').slice(0, 8) : [];
      return {
        credentialId: info.credential.id,
        publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
        counter: info.credential.counter,
        transports,
        backedUp: info.credentialBackedUp,
        deviceType: info.credentialDeviceType,
        steppedUp: Boolean(challenge?.verifiedAt),
      };
    },

    /** Whether a credential id is registered already (to anyone). */
    async registered(credentialId: string): Promise<boolean> {
      return (await rows().count({ where: { credentialId } })) > 0;
    },

    /** Stores a verified credential for the user (the caller holds the transaction). */
    async create(userId: number, credential: RegisteredCredential, name: string | undefined): Promise<any> {
      const number = (await this.count(userId)) + 1;
      return rows().create({
        data: {
          userId,
          credentialId: credential.credentialId,
          publicKey: credential.publicKey,
          counter: credential.counter,
          transports: credential.transports,
          backedUp: credential.backedUp,
          deviceType: credential.deviceType,
          name: name?.trim() || `Passkey ${number}`,
          lastUsedAt: null,
        },
      });
    },

    /**
     * Request options for an assertion bound to `binding` (a pending login): the user's passkeys
     * as allowCredentials; a passwordless sign-in (`userId` null) lists none and requires user
     * verification.
     */
    async assertionOptions(purpose: PasskeyPurpose, userId: number | null, binding: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
      const { rpID } = await relyingParty();
      const { generateAuthenticationOptions } = await webauthn();
      const options = await generateAuthenticationOptions({
        rpID,
        timeout: PASSKEY_CHALLENGE_TTL * 1000,
        allowCredentials: userId === null ? [] : await descriptors(userId),
        userVerification: userId === null ? 'required' : 'preferred',
      });
      await store(purpose, userId ?? 0, binding, options.challenge);
      return options;
    },

    /** The passkey an assertion names (by its credential id), whoever owns it; null when unknown or malformed. */
    async named(response: unknown): Promise<any | null> {
      if (!isObject(response) || typeof response.id !== 'string' || !response.id || response.id.length > 1024) return null;
      return rows().findOne({ where: { credentialId: response.id } });
    },

    /**
     * The reading half of an assertion check, meant to run before the attempt's transaction: the
     * passkey the assertion names (it must be `userId`'s), the live challenge of `purpose` and
     * `binding` it signed, and the signature (origin, RP ID, flags, user verification where
     * required), through @simplewebauthn/server. Writes nothing; never throws.
     */
    async prepareAssertion(input: {
      purpose: PasskeyPurpose;
      binding: string;
      userId: number;
      response: unknown;
      requireUserVerification: boolean;
    }): Promise<PreparedAssertion> {
      let challengeId: number | null = null;
      let passkey: any = null;
      try {
        passkey = await this.named(input.response);
        if (!passkey || Number(passkey.userId) !== input.userId) return { passkey: null, challengeId: null, verified: null };
        const { rpID, origins } = await relyingParty();
        const { verifyAuthenticationResponse } = await webauthn();
        const verified = await verifyAuthenticationResponse({
          response: input.response as unknown as AuthenticationResponseJSON,
          expectedChallenge: async (value: string) => {
            const row = await live(input.purpose, input.binding, value);
            challengeId = row?.id ?? null;
            return Boolean(row);
          },
          expectedOrigin: origins,
          expectedRPID: rpID,
          // The counter is compared when the assertion is committed (0 here never refuses), so a regression can be audited.
          credential: { id: passkey.credentialId, publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')), counter: 0 },
          requireUserVerification: input.requireUserVerification,
        });
        if (!verified.verified) return { passkey, challengeId, verified: null };
        return {
          passkey,
          challengeId,
          verified: { newCounter: verified.authenticationInfo.newCounter, backedUp: verified.authenticationInfo.credentialBackedUp },
        };
      } catch {
        return { passkey, challengeId, verified: null };
      }
    },

    /**
     * The writing half, inside the attempt's transaction: the challenge is consumed whatever the
     * outcome (one guarded UPDATE: of parallel submissions exactly one gets it), then the
     * signature counter must go up when either counter is non-zero (else `passkey.counter_regression`
     * is audited) and moves by compare-and-set. Never throws.
     */
    async commitAssertion(prepared: PreparedAssertion, input: { userId: number; meta?: RequestMeta }): Promise<AssertionOutcome> {
      const invalid: AssertionOutcome = { ok: false, reason: 'invalid' };
      try {
        if (prepared.challengeId === null) return invalid;
        const now = Date.now();
        const { count: taken } = await challenges().updateMany({
          where: { id: prepared.challengeId, consumedAt: null, expiresAt: { $gt: now } },
          data: { consumedAt: now },
        });
        const { passkey, verified } = prepared;
        if (taken !== 1 || !passkey || !verified) return invalid;
        const stored = Number(passkey.counter ?? 0);
        const next = verified.newCounter;
        if ((stored > 0 || next > 0) && next <= stored) {
          await getService(strapi, 'audit').record('passkey.counter_regression', {
            userId: input.userId,
            method: PASSKEY,
            meta: input.meta,
            details: { passkeyId: passkey.id, storedCounter: stored, receivedCounter: next },
          });
          return { ok: false, reason: 'counter' };
        }
        // Compare-and-set on the counter as it was read: a use of the same passkey meanwhile fails this one.
        const { count } = await rows().updateMany({
          where: { id: passkey.id, counter: passkey.counter ?? 0 },
          data: { counter: next, lastUsedAt: new Date(), backedUp: verified.backedUp },
        });
        return count === 1 ? { ok: true, passkey } : invalid;
      } catch {
        return invalid;
      }
    },

    /** Both halves at once (no attempt's transaction to keep short): see prepareAssertion and commitAssertion. */
    async checkAssertion(input: {
      purpose: PasskeyPurpose;
      binding: string;
      userId: number;
      response: unknown;
      requireUserVerification: boolean;
      meta?: RequestMeta;
    }): Promise<AssertionOutcome> {
      return this.commitAssertion(await this.prepareAssertion(input), input);
    },
  };
};
