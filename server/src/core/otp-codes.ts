/**
 * Email / SMS one-time codes (O1, O3).
 *
 * A 6-digit code has only 10^6 values, so a plain hash in the database could be reversed
 * offline in milliseconds; an HMAC under a server key cannot. Binding the challenge id
 * into the MAC means a hash copied to another challenge never matches (O2).
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

const MIN_DIGITS = 6;
const MAX_DIGITS = 12; // randomInt's range must stay below 2^48

function assertDigits(digits: number): void {
  if (!Number.isSafeInteger(digits) || digits < MIN_DIGITS || digits > MAX_DIGITS) {
    throw new RangeError(`Code length must be between ${MIN_DIGITS} and ${MAX_DIGITS} digits`);
  }
}

/** Uniform code from the CSPRNG, zero-padded (e.g. '004213'). */
export function generateNumericCode(digits = MIN_DIGITS): string {
  assertDigits(digits);
  return String(randomInt(0, 10 ** digits)).padStart(digits, '0');
}

/** HMAC-SHA256 hex of `${challengeId}:${code}` under the server key. */
export function hashOtpCode(code: string, challengeId: string, key: Buffer): string {
  if (typeof code !== 'string' || typeof challengeId !== 'string' || challengeId.length === 0) {
    throw new TypeError('code and challengeId must be strings');
  }
  if (!Buffer.isBuffer(key) || key.length < 32) throw new TypeError('OTP hashing key must be a Buffer of at least 32 bytes');
  return createHmac('sha256', key).update(`${challengeId}:${code}`, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests; false on anything malformed or of another length. */
export function safeEqualHex(a: string, b: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  if (a.length !== b.length || a.length === 0 || a.length % 2 !== 0) return false;
  if (!/^[0-9a-fA-F]+$/.test(a) || !/^[0-9a-fA-F]+$/.test(b)) return false;
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

/**
 * Trimmed string of exactly `digits` ASCII digits, else null: the one reading of a typed code,
 * TOTP or emailed/texted. Explicit [0-9], so Unicode digits (fullwidth, Arabic-Indic…) never
 * pass; a string over 64 characters cannot be a code even with spaces, and is refused untrimmed.
 */
export function normalizeNumericCode(input: unknown, digits: number): string | null {
  if (typeof input !== 'string' || input.length > 64) return null;
  if (!Number.isSafeInteger(digits) || digits < 1 || digits > MAX_DIGITS) return null;
  const trimmed = input.trim();
  return trimmed.length === digits && /^[0-9]+$/.test(trimmed) ? trimmed : null;
}
