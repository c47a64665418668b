/**
 * Backup (recovery) codes (B1, B2).
 *
 * 16 base32 characters = 80 bits from the CSPRNG, shown as four groups of four.
 * 80 random bits cannot be brute-forced offline, so a plain SHA-256 is enough and,
 * being deterministic, lets the database look a code up by its hash.
 */
import { createHash, randomBytes } from 'node:crypto';
import { base32Encode } from './totp';

const BACKUP_CODE_BYTES = 10; // 10 bytes = 80 bits = exactly 16 base32 characters
const MAX_BACKUP_CODES = 100;
const NORMALIZED = /^[A-Z2-7]{16}$/;

function formatCode(raw: string): string {
  return raw.match(/.{4}/g)!.join('-');
}

/** `count` distinct codes like `ABCD-EFGH-IJKL-MNOP`; show them once, store only hashes. */
export function generateBackupCodes(count = 10): string[] {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_BACKUP_CODES) {
    throw new RangeError(`Backup code count must be between 1 and ${MAX_BACKUP_CODES}`);
  }
  const codes = new Set<string>();
  // A collision of 80-bit values is practically impossible; the Set makes "distinct" a guarantee.
  while (codes.size < count) codes.add(base32Encode(randomBytes(BACKUP_CODE_BYTES)));
  return [...codes].map(formatCode);
}

/**
 * User input to the canonical form (16 uppercase base32 chars), or null.
 * Spaces and dashes are ignored and case does not matter; anything else is refused.
 */
export function normalizeBackupCode(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 64) return null;
  const stripped = input.replace(/[\s-]/g, '');
  // Check ASCII before uppercasing: 'ı'.toUpperCase() is 'I', 'ſ'.toUpperCase() is 'S'.
  if (!/^[A-Za-z2-7]{16}$/.test(stripped)) return null;
  return stripped.toUpperCase();
}

/** SHA-256 hex of a normalized code. Throws on a non-normalized input (it could never match). */
export function hashBackupCode(normalized: string): string {
  if (typeof normalized !== 'string' || !NORMALIZED.test(normalized)) {
    throw new TypeError('hashBackupCode expects a normalized backup code');
  }
  return createHash('sha256').update(normalized, 'utf8').digest('hex');
}
