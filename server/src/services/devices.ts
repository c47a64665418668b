import { createHmac } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { deviceLabel, isDeviceTokenShape, newDeviceToken, passwordFingerprint } from '../core';
import { UID, getService } from '../utils/plugin';
import { twoFactorError } from '../utils/errors';
import type { RequestMeta } from '../utils/request-meta';
import type { Settings } from './settings';
import type { StepUpProof } from './step-up';

const DAY_MS = 86_400_000;

/** A device remembered at a verify: the token, given once, and how long it lasts. */
export interface TrustedDevice {
  token: string;
  expiresAt: string;
  /** Seconds, for the cookie. */
  maxAge: number;
}

/** A remembered device as its user sees it. */
export interface DeviceView {
  id: number;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
  /** The request presented this device's own token. */
  current: boolean;
}

type DeviceRow = {
  id: number;
  userId: number;
  tokenHash: string;
  label: string | null;
  createdAt: string | Date;
  lastUsedAt: string | Date | null;
  expiresAt: string | Date;
  passwordFingerprint: string | null;
};

const iso = (value: string | Date) => new Date(value).toISOString();

/** When a device stops being trusted: its own expiry, or sooner once the operator lowered `days`. */
const endOf = (row: DeviceRow, days: number) => Math.min(Date.parse(iso(row.expiresAt)), Date.parse(iso(row.createdAt)) + days * DAY_MS);

/**
 * Remembered devices: a login's verify may ask that later password logins from that device skip
 * the second factor. The token is given once; only its keyed hash is stored, with the password
 * fingerprint of the time. Every login decides from the database (no cache): the operator's
 * switch and `days`, the row's expiry, its owner and the user's current password.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const rows = () => strapi.db.query(UID.device);
  const hash = (token: string) => createHmac('sha256', getService(strapi, 'keys').get().deviceHmac).update(token).digest('hex');
  const audit = () => getService(strapi, 'audit');
  const settings = (): Promise<Settings> => getService(strapi, 'settings').get({ fresh: true });

  /** Why a row does not admit this user now, or null when it does. */
  const refusal = (row: DeviceRow | null, user: { id: number; password?: string | null }, trusted: Settings['trustedDevices']) => {
    if (!trusted.enabled) return 'disabled';
    if (!row) return 'unknown';
    if (Number(row.userId) !== Number(user.id)) return 'other-user';
    if (endOf(row, trusted.days) <= Date.now()) return 'expired';
    if (row.passwordFingerprint !== passwordFingerprint(user.password)) return 'password-changed';
    return null;
  };

  return {
    /**
     * Remembers the device of a verify that asked for it, when the operator allows it; null
     * otherwise (the request's wish is then ignored). `user` must carry its password hash.
     */
    async trust(user: { id: number; password?: string | null }, meta?: RequestMeta): Promise<TrustedDevice | null> {
      const { enabled, days } = (await settings()).trustedDevices;
      if (!enabled) return null;
      const token = newDeviceToken();
      const expiresAt = new Date(Date.now() + days * DAY_MS);
      const row = await rows().create({
        data: {
          tokenHash: hash(token),
          userId: user.id,
          label: deviceLabel(meta?.userAgent),
          ip: meta?.ip ?? null,
          lastUsedAt: null,
          expiresAt,
          passwordFingerprint: passwordFingerprint(user.password),
        },
      });
      await audit().record('device.trusted', { userId: user.id, meta, details: { deviceId: row.id, days } });
      await getService(strapi, 'notifications').notify('device.trusted', { userId: user.id, meta });
      return { token, expiresAt: expiresAt.toISOString(), maxAge: days * 86_400 };
    },

    /**
     * The password step's question, asked after the password was checked: does `token` let this
     * user's login skip the second factor? A token that does not is ignored (audited), never an error.
     */
    async admits(user: { id: number; password?: string | null }, token: unknown, meta?: RequestMeta): Promise<boolean> {
      if (token === undefined || token === null || token === '') return false;
      // The switch and the row are read side by side: one round trip of latency, not two.
      const [{ trustedDevices: trusted }, row] = await Promise.all([
        settings(),
        isDeviceTokenShape(token) ? (rows().findOne({ where: { tokenHash: hash(token) } }) as Promise<DeviceRow | null>) : null,
      ]);
      const reason = refusal(row, user, trusted);
      if (reason) {
        await audit().record('device.rejected', { userId: user.id, meta, details: { reason } });
        return false;
      }
      // updateMany: no read-back of the row.
      const use = () => rows().updateMany({ where: { id: row!.id }, data: { lastUsedAt: new Date() } });
      const record = () => audit().record('device.used', { userId: user.id, meta, details: { deviceId: row!.id } });
      // The use's time and its audit event need not commit together. On SQLite a commit is a disk
      // sync (and there is one connection), so they share one; elsewhere they go side by side, a
      // round trip of latency instead of four (BEGIN, two statements, COMMIT).
      if (strapi.db.dialect.client === 'sqlite') {
        await strapi.db.transaction(async () => {
          await use();
          await record();
        });
      } else {
        await Promise.all([use(), record()]);
      }
      return true;
    },

    /** The user's devices that would still be trusted now; `current` marks the request's own. */
    async list(userId: number, currentToken?: unknown): Promise<DeviceView[]> {
      const [found, user, { trustedDevices }] = await Promise.all([
        rows().findMany({ where: { userId }, orderBy: { id: 'asc' } }) as Promise<DeviceRow[]>,
        strapi.db.query(UID.user).findOne({ where: { id: userId }, select: ['id', 'password'] }),
        settings(),
      ]);
      if (!user) return [];
      const own = isDeviceTokenShape(currentToken) ? hash(currentToken) : null;
      return found
        .filter((row) => refusal(row, user, trustedDevices) === null)
        .map((row) => ({
          id: row.id,
          label: row.label ?? 'Unknown device',
          createdAt: iso(row.createdAt),
          lastUsedAt: row.lastUsedAt ? iso(row.lastUsedAt) : null,
          expiresAt: new Date(endOf(row, trustedDevices.days)).toISOString(),
          current: row.tokenHash === own,
        }));
    },

    /** Forgets one of the user's own devices; another user's id is not found. */
    async revoke(userId: number, id: unknown, meta?: RequestMeta): Promise<{ id: number }> {
      const deviceId = Number(id);
      const { count } = Number.isSafeInteger(deviceId) && deviceId > 0 ? await rows().deleteMany({ where: { id: deviceId, userId } }) : { count: 0 };
      if (count !== 1) throw twoFactorError('DEVICE_NOT_FOUND');
      await audit().record('device.revoked', { userId, meta, details: { deviceId } });
      return { id: deviceId };
    },

    /** Forgets every device of the user, after a step-up (a current code or a fresh session). */
    async revokeAll(userId: number, proof: StepUpProof, meta?: RequestMeta): Promise<{ revoked: number }> {
      await getService(strapi, 'stepUp').require(userId, proof, meta);
      const revoked = await this.removeAll(userId);
      await audit().record('device.revoked', { userId, meta, details: { count: revoked, all: true } });
      return { revoked };
    },

    /** Forgets every device of the user (2FA off, a factor removed, an admin's reset or revoke). */
    async removeAll(userId: number): Promise<number> {
      return Number((await rows().deleteMany({ where: { userId } })).count);
    },

    /** Live devices per user, for the admin's list. */
    async countByUser(userIds: number[]): Promise<Map<number, number>> {
      const counts = new Map<number, number>();
      if (!userIds.length) return counts;
      const found = await rows().findMany({ where: { userId: { $in: userIds }, expiresAt: { $gt: new Date() } }, select: ['userId'] });
      for (const row of found as { userId: number }[]) counts.set(Number(row.userId), (counts.get(Number(row.userId)) ?? 0) + 1);
      return counts;
    },
  };
};
