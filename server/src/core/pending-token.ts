/**
 * The "pending login" (mfa) token handed out after the password step (J2-J4).
 *
 * It has its own audience and issuer so it can never pass for a users-permissions JWT
 * (and vice versa), a pinned algorithm list so `alg: none` and algorithm confusion fail,
 * and a jti = challenge id so the server can make it single use.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

export type PendingPurpose = 'login' | 'setup';

export interface PendingTokenInput {
  challengeId: string;
  userId: number | string;
  purpose: PendingPurpose;
}

export interface PendingTokenClaims {
  challengeId: string;
  userId: string;
  purpose: PendingPurpose;
}

export const PENDING_TOKEN_AUDIENCE = 'two-factor:pending';
export const PENDING_TOKEN_ISSUER = 'strapi-plugin-two-factor';
const MAX_TOKEN_LENGTH = 2048;
const MIN_KEY_BYTES = 32;
const PURPOSES: readonly PendingPurpose[] = ['login', 'setup'];

function isKey(key: unknown): key is Buffer {
  return Buffer.isBuffer(key) && key.length >= MIN_KEY_BYTES;
}

/**
 * jsonwebtoken first tries to parse a Buffer key as a PEM/DER private or public key and only
 * falls back to an HMAC key when that throws: ~2 ms per call on OpenSSL 3. A secret KeyObject
 * (the same key bytes) skips that.
 */
const hmacKey = (key: Buffer): KeyObject => createSecretKey(key);

export function signPendingToken(input: PendingTokenInput, key: Buffer, expiresInSeconds: number): string {
  const { challengeId, userId, purpose } = input;
  if (typeof challengeId !== 'string' || challengeId.length === 0) throw new TypeError('challengeId is required');
  if (!(typeof userId === 'string' ? userId.length > 0 : Number.isSafeInteger(userId))) {
    throw new TypeError('userId is required');
  }
  if (!PURPOSES.includes(purpose)) throw new TypeError('Unknown pending token purpose');
  if (!isKey(key)) throw new TypeError(`Pending token key must be a Buffer of at least ${MIN_KEY_BYTES} bytes`);
  if (!Number.isSafeInteger(expiresInSeconds) || expiresInSeconds <= 0) {
    throw new RangeError('expiresInSeconds must be a positive integer');
  }
  return jwt.sign({ purpose }, hmacKey(key), {
    algorithm: 'HS256',
    audience: PENDING_TOKEN_AUDIENCE,
    issuer: PENDING_TOKEN_ISSUER,
    jwtid: challengeId,
    subject: String(userId),
    expiresIn: expiresInSeconds,
  });
}

/** Claims of a valid token, or null for anything else. Never throws. */
export function verifyPendingToken(token: unknown, key: Buffer): PendingTokenClaims | null {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
  if (!isKey(key)) return null;
  try {
    const payload = jwt.verify(token, hmacKey(key), {
      algorithms: ['HS256'],
      audience: PENDING_TOKEN_AUDIENCE,
      issuer: PENDING_TOKEN_ISSUER,
      complete: false,
    });
    if (typeof payload !== 'object' || payload === null) return null;
    const { jti, sub, purpose, exp } = payload as jwt.JwtPayload & { purpose?: unknown };
    // jsonwebtoken only checks exp when present; a token without one must not live forever.
    if (typeof exp !== 'number') return null;
    if (typeof jti !== 'string' || jti.length === 0 || typeof sub !== 'string' || sub.length === 0) return null;
    if (typeof purpose !== 'string' || !PURPOSES.includes(purpose as PendingPurpose)) return null;
    return { challengeId: jti, userId: sub, purpose: purpose as PendingPurpose };
  } catch {
    return null;
  }
}
